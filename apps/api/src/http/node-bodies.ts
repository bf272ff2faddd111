import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";

export interface BodyGuardOptions {
  /** Largest body (MAX_BODY_BYTES): a declared Content-Length above it is refused (413) by the app. */
  maxBodyBytes: number;
  /** A refused upload is read and dropped while it keeps coming: closed once it stalls this long... */
  lingerIdleMs?: number;
  /** ...or after this long in all... */
  lingerMs?: number;
  /** ...or this many bytes. */
  lingerBytes?: number;
}

export function guardBodies(server: Server, options: BodyGuardOptions): void {
  const linger = {
    idleMs: options.lingerIdleMs ?? 2000,
    totalMs: options.lingerMs ?? 30_000,
    bytes: options.lingerBytes ?? 64 * 1024 * 1024,
  };
  server.on("checkContinue", (req: IncomingMessage, res: ServerResponse) => {
    if (!declaredTooLarge(req, options.maxBodyBytes)) res.writeContinue();
    server.emit("request", req, res);
  });
  server.prependListener("request", (req: IncomingMessage, res: ServerResponse) => {
    // Before Node's own 'finish' handler closes the connection (it calls socket.destroySoon()).
    res.once("prefinish", () => {
      if (res.statusCode !== 413 || req.complete) return;
      const socket = req.socket;
      socket.destroySoon = () => {
        lingeringClose(req, linger);
      };
    });
  });
}

function declaredTooLarge(req: IncomingMessage, maxBytes: number): boolean {
  const length = req.headers["content-length"];
  return length !== undefined && (!/^\d{1,16}$/.test(length) || Number(length) > maxBytes);
}

const lingering = new WeakSet<Socket>();

/** Shuts our side (the answer is flushed first), drops what still comes in, closes at the first bound. */
function lingeringClose(
  req: IncomingMessage,
  linger: { idleMs: number; totalMs: number; bytes: number },
): void {
  const socket = req.socket;
  if (lingering.has(socket) || socket.destroyed) return;
  lingering.add(socket);
  const started = Date.now();
  const readAtStart = socket.bytesRead;
  let lastRead = socket.bytesRead;
  let lastProgress = started;
  const close = () => {
    clearInterval(check);
    socket.destroy();
  };
  const check = setInterval(() => {
    const now = Date.now();
    if (socket.bytesRead !== lastRead) {
      lastRead = socket.bytesRead;
      lastProgress = now;
    }
    if (
      now - lastProgress > linger.idleMs ||
      now - started > linger.totalMs ||
      socket.bytesRead - readAtStart > linger.bytes
    ) {
      close();
    }
  }, 100);
  check.unref();
  socket.once("close", () => clearInterval(check));
  socket.once("end", close);
  socket.end();
  // The rest of the body still goes through the request (Node's parser): read and dropped, or the parser
  // would stop reading the socket once the request's buffer is full. Whoever else reads it (a body stream
  // the app opened and left, whose backpressure pauses the request) is let go first.
  req.removeAllListeners("data");
  req.on("data", () => undefined);
  req.resume();
  socket.resume();
}
