import net from "node:net";
import { cstring, errorResponse, frame, parseFields, readCString, startupMessage } from "./protocol.ts";
import { MessageReader, PeerClosedError } from "./reader.ts";
import { md5Password, ScramClient } from "./scram.ts";
import type { Upstream } from "./types.ts";

/** Upstream handshake messages are small; anything bigger is not PostgreSQL. */
const MAX_HANDSHAKE_MESSAGE = 1 << 20;

export interface UpstreamSession {
  socket: net.Socket;
  reader: MessageReader;
  /** Everything from AuthenticationOk to ReadyForQuery inclusive, to forward to the client as is. */
  greeting: Buffer;
  /** BackendKeyData body (pid + secret key), for relaying CancelRequests. */
  backendKey: Buffer | undefined;
}

/** The upstream did not give us a session; `response` is the ErrorResponse the client gets. */
export class UpstreamFailure extends Error {
  readonly reason: string;
  readonly sqlState: string;
  readonly response: Buffer;
  constructor(reason: string, response: Buffer, sqlState: string, message: string) {
    super(message);
    this.reason = reason;
    this.response = response;
    this.sqlState = sqlState;
  }
}

/**
 * Opens a session on the real PostgreSQL as `upstream.user`, answering whatever authentication it asks for
 * (SCRAM-SHA-256 on the embedded cluster; cleartext and md5 for other setups), and reads up to the first
 * ReadyForQuery so that a login refused after authentication (no such database) is still a refusal.
 */
export async function openUpstream(
  upstream: Upstream,
  params: Map<string, string>,
  track: (socket: net.Socket) => void,
): Promise<UpstreamSession> {
  const socket = net.connect({ host: upstream.host, port: upstream.port, noDelay: true });
  track(socket);
  const where = `${upstream.host}:${upstream.port}`;
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw unreachable(`lakebase-local: the database instance is not reachable (upstream ${where}: ${code})`);
  }
  socket.on("error", () => undefined); // surfaced through the reader as a closed peer
  const reader = new MessageReader(socket, MAX_HANDSHAKE_MESSAGE);
  const startup = new Map(params);
  startup.set("user", upstream.user);
  startup.set("database", upstream.database);
  socket.write(startupMessage(startup));

  let scram: ScramClient | undefined;
  const greeting: Buffer[] = [];
  let backendKey: Buffer | undefined;
  let authenticated = false;
  try {
    for (;;) {
      const { type, body } = await reader.message();
      if (type === "E") {
        const fields = parseFields(body);
        const sqlState = fields.C ?? "XX000";
        throw new UpstreamFailure(
          "upstream_error",
          frame(type, body),
          sqlState,
          fields.M ?? "upstream error",
        );
      }
      if (authenticated) {
        greeting.push(frame(type, body));
        if (type === "K") backendKey = Buffer.from(body);
        if (type === "Z") return { socket, reader, greeting: Buffer.concat(greeting), backendKey };
        continue;
      }
      if (type === "v") continue; // NegotiateProtocolVersion: we asked for plain 3.0, nothing to adapt
      if (type !== "R") throw unexpected(`message type "${type}" before authentication completed`);
      const code = body.readInt32BE(0);
      switch (code) {
        case 0:
          authenticated = true;
          greeting.push(frame(type, body));
          break;
        case 3:
          socket.write(frame("p", cstring(upstream.password)));
          break;
        case 5:
          socket.write(
            frame("p", cstring(md5Password(upstream.user, upstream.password, body.subarray(4, 8)))),
          );
          break;
        case 10: {
          const mechanisms = readMechanisms(body.subarray(4));
          if (!mechanisms.includes("SCRAM-SHA-256")) {
            throw unexpected(`upstream offers only SASL mechanisms ${mechanisms.join(", ")}`);
          }
          scram = new ScramClient(upstream.password);
          const first = scram.clientFirst();
          const length = Buffer.allocUnsafe(4);
          length.writeInt32BE(first.length, 0);
          socket.write(frame("p", Buffer.concat([cstring(scram.mechanism), length, first])));
          break;
        }
        case 11:
          if (!scram) throw unexpected("SASLContinue without SASL");
          socket.write(frame("p", await scram.clientFinal(body.toString("utf8", 4))));
          break;
        case 12:
          if (!scram) throw unexpected("SASLFinal without SASL");
          scram.verifyServerFinal(body.toString("utf8", 4));
          break;
        default:
          throw unexpected(`unsupported authentication request ${code}`);
      }
    }
  } catch (error) {
    socket.destroy();
    if (error instanceof UpstreamFailure) throw error;
    if (error instanceof PeerClosedError) {
      throw unreachable(
        `lakebase-local: the database instance closed the connection during login (upstream ${where})`,
      );
    }
    throw unexpected((error as Error).message);
  }
}

function readMechanisms(body: Buffer): string[] {
  const out: string[] = [];
  let at = 0;
  while (at < body.length && body[at] !== 0) {
    const name = readCString(body, at);
    out.push(name);
    at += Buffer.byteLength(name) + 1;
  }
  return out;
}

function unreachable(message: string): UpstreamFailure {
  return new UpstreamFailure(
    "upstream_unreachable",
    errorResponse({ severity: "FATAL", code: "08006", message }),
    "08006",
    message,
  );
}

function unexpected(detail: string): UpstreamFailure {
  const message = `lakebase-local: login to the database instance failed: ${detail}`;
  return new UpstreamFailure(
    "upstream_error",
    errorResponse({ severity: "FATAL", code: "08006", message }),
    "08006",
    message,
  );
}
