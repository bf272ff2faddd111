import net from "node:net";

export interface PgProxyOptions {
  /**
   * How long to hold a new connection before relaying it, decided from its startup parameters (`user`,
   * `database`, `application_name`): e.g. to make one worker of a cluster reach the database later.
   */
  delayMs?: (startup: Readonly<Record<string, string>>) => number;
}

export interface PgProxy {
  readonly port: number;
  /** postgresql://... of the target with the proxy's port in its place. */
  url(targetUrl: string): string;
  /** Bytes relayed so far in both directions, and connections accepted. */
  traffic(): { bytes: number; connections: number; lastByteAt: number };
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of PostgreSQL that reads each connection's startup message (plain connections only:
 * an SSLRequest is relayed as is and the connection is not inspected) and counts every byte either way: what a
 * test needs to hold one client back, or to see that an idle app sends nothing.
 */
export async function startPgProxy(
  target: { host: string; port: number },
  options: PgProxyOptions = {},
): Promise<PgProxy> {
  const sockets = new Set<net.Socket>();
  let bytes = 0;
  let connections = 0;
  let lastByteAt = 0;
  const count = (n: number) => {
    bytes += n;
    lastByteAt = Date.now();
  };
  const server = net.createServer((inbound) => {
    connections++;
    sockets.add(inbound);
    inbound.on("close", () => sockets.delete(inbound));
    inbound.on("error", () => inbound.destroy());
    let head = Buffer.alloc(0);
    const onFirst = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      if (head.length < 8 || head.length < head.readInt32BE(0)) return;
      inbound.off("data", onFirst);
      inbound.pause();
      const delay = options.delayMs?.(startupParameters(head)) ?? 0;
      setTimeout(() => relay(inbound, head), delay);
    };
    inbound.on("data", onFirst);
  });
  const relay = (inbound: net.Socket, head: Buffer) => {
    if (inbound.destroyed) return;
    const outbound = net.connect(target.port, target.host);
    sockets.add(outbound);
    outbound.on("close", () => {
      sockets.delete(outbound);
      inbound.destroy();
    });
    outbound.on("error", () => inbound.destroy());
    inbound.on("close", () => outbound.destroy());
    count(head.length);
    outbound.write(head);
    inbound.on("data", (c: Buffer) => {
      count(c.length);
      outbound.write(c);
    });
    outbound.on("data", (c: Buffer) => {
      count(c.length);
      inbound.write(c);
    });
    inbound.resume();
  };
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: (targetUrl) => {
      const u = new URL(targetUrl);
      u.hostname = "127.0.0.1";
      u.port = String(port);
      return u.toString();
    },
    traffic: () => ({ bytes, connections, lastByteAt }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The key/value pairs of a v3 startup message; empty for an SSLRequest or a cancel request. */
function startupParameters(message: Buffer): Record<string, string> {
  const params: Record<string, string> = {};
  if (message.readInt32BE(4) !== 196_608) return params;
  const fields = message.subarray(8, message.readInt32BE(0)).toString("utf8").split("\0");
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i]) params[fields[i]!] = fields[i + 1]!;
  return params;
}
