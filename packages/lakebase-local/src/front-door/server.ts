import net from "node:net";
import tls from "node:tls";
import { ephemeralServerCertificate } from "./certificate.ts";
import { type CancelTarget, ClientSession } from "./session.ts";
import type { FrontDoor, FrontDoorCounters, FrontDoorOptions } from "./types.ts";

const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
const CLOSE_GRACE_MS = 500;

export async function startFrontDoor(options: FrontDoorOptions): Promise<FrontDoor> {
  const host = options.host ?? "127.0.0.1";
  const material = options.tls ?? (await ephemeralServerCertificate());
  const secureContext = tls.createSecureContext({ key: material.key, cert: material.cert });
  const counters: FrontDoorCounters = { accepted: 0, refused: {}, active: 0 };
  const sessions = new Set<ClientSession>();
  const cancelTargets = new Map<string, CancelTarget>();
  const log = options.log ?? (() => undefined);
  let lastActivityAt = Date.now();

  const server = net.createServer({ noDelay: true });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as net.AddressInfo).port;
  // After listen, an 'error' (e.g. EMFILE on accept) must not crash the process; clients see a refused connect.
  server.on("error", () => undefined);

  const context = {
    port,
    secureContext,
    admit: options.admit,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
    requireTls: options.requireTls ?? false,
    counters,
    log,
    cancelTargets,
    touch: () => {
      lastActivityAt = Date.now();
    },
  };
  // Sockets outlive their session while a refused client reads its FATAL; close() must not wait for them.
  const sockets = new Set<net.Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    sessions.add(new ClientSession(socket, context, (done) => sessions.delete(done)));
  });

  const closeConnections = () => {
    for (const session of [...sessions]) session.destroy();
  };
  let closing: Promise<void> | undefined;
  return {
    host,
    port,
    counters,
    activity: () => {
      let relayed = 0;
      let busy = 0;
      for (const session of sessions) {
        if (!session.relaying) continue;
        relayed++;
        if (!session.idle) busy++;
      }
      return { sessions: relayed, busy, lastActivityAt };
    },
    closeConnections,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        // Sessions end with a last FATAL; a socket still open after that grace is cut so the port frees.
        const cut = setTimeout(() => {
          for (const socket of sockets) socket.destroy();
        }, CLOSE_GRACE_MS);
        server.close(() => {
          clearTimeout(cut);
          resolve();
        });
        closeConnections();
      });
      return closing;
    },
  };
}
