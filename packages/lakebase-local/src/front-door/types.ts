/** The front door's contracts: what it asks of its owner (admit) and what it reports back. */
export interface Upstream {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
}

export type Admission =
  | { ok: true; upstream: Upstream }
  | { ok: false; sqlState: string; message: string; reason: string };

export interface FrontDoorLogin {
  user: string;
  database: string;
  password: string;
  /** The front door's own port, so one admit can serve several instances. */
  port: number;
}

export interface FrontDoorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 or undefined = a free port. A fixed port is bindable again after close (a recreated instance). */
  port?: number;
  /** The server certificate and its key. Omitted: one from a throwaway CA (once per process). */
  tls?: { key: string; cert: string };
  /**
   * Refuse unencrypted logins, as Lakebase does: a startup packet that did not come over TLS gets FATAL 28000
   * "connection is insecure (try using `sslmode=require`)" and is counted as "tls_required". Default false.
   */
  requireTls?: boolean;
  admit(login: FrontDoorLogin): Promise<Admission>;
  /** A client that has not completed login by then is disconnected and counted as "timeout". Default 10 000. */
  handshakeTimeoutMs?: number;
  /** Structured events (never a password or token). Default: dropped. */
  log?: (event: FrontDoorEvent) => void;
}

export interface FrontDoorEvent {
  event: "accepted" | "refused" | "closed";
  port: number;
  user?: string;
  database?: string;
  reason?: string;
  sqlState?: string;
  tls?: boolean;
}

export interface FrontDoorCounters {
  /** Logins admitted and relayed to a ready upstream session. */
  accepted: number;
  /**
   * Connections that did not become a session, by Admission.reason, plus the front door's own reasons:
   * "protocol", "timeout", "tls" (the client rejected our certificate), "tls_required" (a plain login while
   * TLS is required), "client_closed", "closed" (by closeConnections), "admit_error",
   * "upstream_unreachable", "upstream_error", "internal".
   */
  refused: Record<string, number>;
  /** Relayed connections open now. */
  active: number;
}

/** What scale to zero needs to know about a front door's sessions. */
export interface FrontDoorActivity {
  /** Relayed sessions open now. */
  sessions: number;
  /** Of those, the ones running a request or inside a transaction. */
  busy: number;
  /** When a byte last went through (either way), or a login was accepted; epoch ms. */
  lastActivityAt: number;
}

export interface FrontDoor {
  host: string;
  port: number;
  counters: FrontDoorCounters;
  activity(): FrontDoorActivity;
  /** Destroys every connection now, relayed or still logging in (instance stopped/deleted). */
  closeConnections(): void;
  /** Stops listening and destroys all connections; resolves when the port is free. */
  close(): Promise<void>;
}
