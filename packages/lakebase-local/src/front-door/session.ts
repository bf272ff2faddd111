import net from "node:net";
import type { Duplex } from "node:stream";
import tls from "node:tls";
import { MessageBoundary } from "./message-boundary.ts";
import {
  authenticationRequest,
  CANCEL_REQUEST,
  fatal,
  GSSENC_REQUEST,
  readCString,
  SSL_REQUEST,
} from "./protocol.ts";
import { MessageReader, PeerClosedError, ProtocolViolation, type StartupPacket } from "./reader.ts";
import { replayStream } from "./replay-stream.ts";
import { checkStartup } from "./startup.ts";
import type { Admission, FrontDoorCounters, FrontDoorEvent, FrontDoorLogin } from "./types.ts";
import { openUpstream, UpstreamFailure } from "./upstream.ts";

/** A password message carries a token (a JWT is a few KB); nothing a client sends before login is bigger. */
const MAX_CLIENT_MESSAGE = 64 * 1024;
/** First byte of a TLS ClientHello: a client using direct SSL negotiation (PostgreSQL 17+ `sslnegotiation=direct`). */
const TLS_HANDSHAKE = 0x16;
const INSECURE = "connection is insecure (try using `sslmode=require`)";
/** Once upstream has closed, how long a client may take to close its side before we cut it. */
const LINGER_MS = 2_000;

export interface CancelTarget {
  host: string;
  port: number;
}

export interface SessionContext {
  port: number;
  secureContext: tls.SecureContext;
  admit(login: FrontDoorLogin): Promise<Admission>;
  handshakeTimeoutMs: number;
  requireTls: boolean;
  counters: FrontDoorCounters;
  log(event: FrontDoorEvent): void;
  /** Upstream BackendKeyData (hex) -> where to relay a CancelRequest carrying it. */
  cancelTargets: Map<string, CancelTarget>;
  /** Called on every relayed chunk, either way (scale to zero measures idleness from it). */
  touch(): void;
}

type State = "handshake" | "relay" | "done";

/** One client connection: the login handshake, then a byte relay to its upstream session. */
export class ClientSession {
  private state: State = "handshake";
  private readonly raw: net.Socket;
  private client: Duplex;
  private upstream: net.Socket | undefined;
  private encrypted = false;
  private tlsFailed = false;
  private user: string | undefined;
  private database: string | undefined;
  private cancelKey: string | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly boundary = new MessageBoundary();
  private readonly ctx: SessionContext;
  private readonly onDone: (session: ClientSession) => void;

  constructor(raw: net.Socket, ctx: SessionContext, onDone: (session: ClientSession) => void) {
    this.raw = raw;
    this.client = raw;
    this.ctx = ctx;
    this.onDone = onDone;
    raw.setNoDelay(true);
    // Errors reach the handshake as a closed peer (MessageReader) and the relay through its own listeners.
    raw.on("error", () => undefined);
    this.timer = setTimeout(() => {
      this.refuse("timeout", fatal("57014", "canceling authentication due to timeout"));
    }, ctx.handshakeTimeoutMs);
    this.timer.unref();
    this.handshake().catch((error: unknown) => this.handshakeFailed(error));
  }

  /** Logged in and relaying to its upstream session. */
  get relaying(): boolean {
    return this.state === "relay";
  }

  /** No request in flight and no open transaction (a session still logging in is idle). */
  get idle(): boolean {
    return this.state !== "relay" || this.boundary.idle;
  }

  /**
   * Ends this connection now, both sides (instance stopped or deleted, front door closing). Like a server
   * shutting down, the client gets FATAL 57P01 when that cannot cut a relayed message in half.
   */
  destroy(): void {
    if (this.state === "handshake") {
      this.refuse("closed", terminating());
      return;
    }
    if (this.state !== "relay") return;
    const upstream = this.upstream;
    if (upstream && this.boundary.atBoundary && this.client.writable) {
      upstream.unpipe(this.client);
      this.client.unpipe(upstream);
      upstream.destroy();
      endThenDestroy(this.client, terminating());
      this.teardown();
      return;
    }
    this.destroySockets();
    this.teardown();
  }

  private async handshake(): Promise<void> {
    let reader = new MessageReader(this.raw, MAX_CLIENT_MESSAGE);
    let startup: StartupPacket | undefined;
    if ((await reader.peekByte()) === TLS_HANDSHAKE) {
      reader = this.startTls(reader, true);
    }
    // A client may ask for GSS encryption, then SSL, before its startup packet; more rounds is abuse.
    for (let round = 0; round < 3 && !startup; round++) {
      const packet = await reader.startup();
      if (this.state !== "handshake") return;
      if (packet.code === SSL_REQUEST) {
        if (this.encrypted) throw new ProtocolViolation("SSLRequest on an encrypted connection");
        reader = this.startTls(reader, false);
      } else if (packet.code === GSSENC_REQUEST) {
        this.client.write("N");
      } else if (packet.code === CANCEL_REQUEST) {
        this.relayCancel(packet.body);
        return;
      } else {
        startup = packet;
      }
    }
    if (!startup) throw new ProtocolViolation("too many negotiation requests");
    if (this.ctx.requireTls && !this.encrypted) {
      // Lakebase's proxy (Neon's) answers "connection is insecure (try using `sslmode=require`)" here; we
      // send it with PostgreSQL's SQLSTATE for a pg_hba refusal of unencrypted connections (28000).
      this.refuse("tls_required", fatal("28000", INSECURE), "28000");
      return;
    }

    const checked = checkStartup(startup);
    if (!checked.ok) {
      this.refuse("protocol", checked.response);
      return;
    }
    const { user, database, forwarded } = checked;
    this.user = user;
    this.database = database;
    if (checked.negotiation) this.client.write(checked.negotiation);

    this.client.write(authenticationRequest(3));
    const reply = await reader.message();
    if (this.state !== "handshake") return;
    if (reply.type !== "p") {
      throw new ProtocolViolation(`expected password response, got message type ${reply.type.charCodeAt(0)}`);
    }
    const password = readCString(reply.body);

    let admission: Admission;
    try {
      admission = await this.ctx.admit({ user, database, password, port: this.ctx.port });
    } catch {
      this.refuse("admit_error", fatal("XX000", "lakebase-local: the login could not be checked"), "XX000");
      return;
    }
    if (this.state !== "handshake") return;
    if (!admission.ok) {
      this.refuse(admission.reason, fatal(admission.sqlState, admission.message), admission.sqlState);
      return;
    }

    const target = admission.upstream;
    const upstream = await openUpstream(target, forwarded, (socket) => {
      this.upstream = socket;
    });
    if (this.state !== "handshake") {
      upstream.socket.destroy();
      return;
    }
    this.relay(reader, upstream.reader.detach(), upstream.greeting, target, upstream.backendKey);
  }

  /** Switches the client side to TLS; bytes already read must be a ClientHello (direct) or nothing. */
  private startTls(reader: MessageReader, direct: boolean): MessageReader {
    const pending = reader.detach();
    let transport: Duplex = this.raw;
    if (direct) {
      transport = replayStream(this.raw, pending);
    } else {
      // Plaintext pipelined after SSLRequest would be trusted as if encrypted (CVE-2021-23214).
      if (pending.length > 0) throw new ProtocolViolation("received unencrypted data after SSL request");
      this.raw.write("S");
    }
    const secure = new tls.TLSSocket(transport, {
      isServer: true,
      secureContext: this.ctx.secureContext,
      ALPNProtocols: ["postgresql"],
    });
    secure.on("error", () => {
      this.tlsFailed = true;
    });
    this.client = secure;
    this.encrypted = true;
    return new MessageReader(secure, MAX_CLIENT_MESSAGE);
  }

  private relay(
    clientReader: MessageReader,
    fromUpstream: Buffer,
    greeting: Buffer,
    target: CancelTarget,
    backendKey: Buffer | undefined,
  ): void {
    const upstream = this.upstream;
    if (!upstream) return;
    clearTimeout(this.timer);
    this.state = "relay";
    this.ctx.counters.accepted++;
    this.ctx.counters.active++;
    if (backendKey) {
      this.cancelKey = backendKey.toString("hex");
      this.ctx.cancelTargets.set(this.cancelKey, { host: target.host, port: target.port });
    }
    this.ctx.log({
      event: "accepted",
      port: this.ctx.port,
      user: this.user,
      database: this.database,
      tls: this.encrypted,
    });

    const client = this.client;
    const fromClient = clientReader.detach();
    const broken = () => {
      this.destroySockets();
      this.teardown();
    };
    client.on("error", broken);
    upstream.on("error", broken);
    // Either side's normal close ends the other gracefully (pipe() has flushed what was in flight), so a
    // client's Terminate reaches the server and a server's last FATAL reaches the client.
    client.on("close", () => {
      upstream.end();
      setTimeout(() => upstream.destroy(), LINGER_MS).unref();
      this.teardown();
    });
    upstream.on("close", () => {
      client.end();
      setTimeout(() => this.destroySockets(), LINGER_MS).unref();
      this.teardown();
    });
    upstream.on("data", (chunk: Buffer) => {
      this.boundary.observe(chunk);
      this.ctx.touch();
    });
    client.on("data", () => {
      this.boundary.clientSent();
      this.ctx.touch();
    });
    this.boundary.observe(greeting);
    this.boundary.observe(fromUpstream);
    client.write(Buffer.concat([greeting, fromUpstream]));
    this.ctx.touch();
    if (fromClient.length > 0) {
      this.boundary.clientSent();
      upstream.write(fromClient);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }

  private relayCancel(body: Buffer): void {
    const target = this.ctx.cancelTargets.get(body.toString("hex"));
    // Like PostgreSQL: a cancel connection gets no answer, and an unknown key is silently ignored.
    this.destroySockets();
    this.finish();
    if (!target) return;
    const packet = Buffer.allocUnsafe(8 + body.length);
    packet.writeInt32BE(packet.length, 0);
    packet.writeInt32BE(CANCEL_REQUEST, 4);
    body.copy(packet, 8);
    const socket = net.connect(target);
    socket.on("error", () => undefined);
    socket.end(packet);
  }

  private handshakeFailed(error: unknown): void {
    if (error instanceof UpstreamFailure) {
      this.refuse(error.reason, error.response, error.sqlState);
    } else if (error instanceof PeerClosedError) {
      // Node and libpq verify the certificate after the TLS handshake and just hang up when they reject
      // it (no CA, wrong name): an encrypted client gone before its startup packet is a TLS refusal.
      this.refuse(this.tlsFailed || (this.encrypted && !this.user) ? "tls" : "client_closed");
    } else if (error instanceof ProtocolViolation) {
      this.refuse("protocol", fatal("08P01", error.message), "08P01");
    } else {
      this.refuse("internal", fatal("XX000", "lakebase-local: internal error in the front door"), "XX000");
    }
  }

  /** Ends a login that did not become a session: tell the client why (if it can still hear), count it. */
  private refuse(reason: string, response?: Buffer, sqlState?: string): void {
    if (this.state !== "handshake") return;
    this.ctx.counters.refused[reason] = (this.ctx.counters.refused[reason] ?? 0) + 1;
    this.ctx.log({
      event: "refused",
      port: this.ctx.port,
      user: this.user,
      database: this.database,
      reason,
      sqlState,
    });
    this.upstream?.destroy();
    if (response && this.client.writable) endThenDestroy(this.client, response);
    else this.destroySockets();
    this.finish();
  }

  private teardown(): void {
    if (this.state !== "relay") return;
    this.ctx.counters.active--;
    this.ctx.log({ event: "closed", port: this.ctx.port, user: this.user, database: this.database });
    this.finish();
  }

  private destroySockets(): void {
    this.upstream?.destroy();
    this.client.destroy();
    this.raw.destroy();
  }

  private finish(): void {
    if (this.state === "done") return;
    this.state = "done";
    clearTimeout(this.timer);
    if (this.cancelKey) this.ctx.cancelTargets.delete(this.cancelKey);
    this.onDone(this);
  }
}

function terminating(): Buffer {
  return fatal("57P01", "terminating connection due to administrator command");
}

/**
 * Sends a last message and closes once it has left the process. Waiting for the client to close instead
 * would let a silent client hold the port open after close().
 */
function endThenDestroy(stream: Duplex, last: Buffer): void {
  stream.end(last, () => stream.destroy());
  setTimeout(() => stream.destroy(), LINGER_MS).unref();
}
