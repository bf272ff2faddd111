import net from "node:net";

export interface RoundRobinProxy {
  readonly url: string;
  /** The backends new connections go to, in turn (replaced as a whole: a restarted instance's new port). */
  setBackends(ports: number[]): void;
  close(): Promise<void>;
}

/**
 * A TCP load balancer in front of several app instances, as a platform's router is: each new connection goes
 * to the next backend in turn; one that refuses the connection (an instance restarting) is skipped for the
 * next. Connections are not moved once made: an instance that goes away closes its own.
 */
export async function startRoundRobin(ports: number[]): Promise<RoundRobinProxy> {
  let backends = [...ports];
  let next = 0;
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  };
  const server = net.createServer((inbound) => {
    track(inbound);
    inbound.pause();
    inbound.on("error", () => inbound.destroy());
    const tryConnect = (attempt: number) => {
      if (backends.length === 0 || attempt >= backends.length) {
        inbound.destroy();
        return;
      }
      const port = backends[next++ % backends.length]!;
      const outbound = net.connect(port, "127.0.0.1");
      const refused = () => {
        outbound.destroy();
        tryConnect(attempt + 1);
      };
      outbound.once("error", refused);
      outbound.once("connect", () => {
        outbound.off("error", refused);
        track(outbound);
        outbound.on("error", () => inbound.destroy());
        inbound.on("close", () => outbound.destroy());
        outbound.on("close", () => inbound.destroy());
        inbound.pipe(outbound).pipe(inbound);
        inbound.resume();
      });
    };
    tryConnect(0);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    setBackends(ports) {
      backends = [...ports];
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
