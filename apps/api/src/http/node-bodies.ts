import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";

export interface BodyGuardOptions {
  /** Largest body (MAX_BODY_BYTES): a declared Content-Length above it is refused (413) by the app. */
  maxBodyBytes: number;
  /** How long a refused upload is still read and dropped, so that its client gets to read the 413. */
  lingerMs?: number;
  /** And at most how many bytes of it. */
  lingerBytes?: number;
}

/**
 * What the app's body limit (guards/body-limit.ts) needs from the Node server to answer 413 at once, and
 * to be heard:
 * - `Expect: 100-continue` with a Content-Length over the limit gets no 100 Continue: the request goes to the
 *   app as it is, which answers 413 before a byte of the body is invited (Node would otherwise invite the
 *   upload it is about to refuse). Other such requests are invited as Node would.
 * - A 413 answered while the client is still uploading (it sent no Expect) closes the connection only after a
 *   short linger: our side is shut, the rest of the upload is read and dropped for up to `lingerMs` (or
 *   `lingerBytes`), then the socket is closed. Closed at once, a client still writing gets a reset and never
 *   reads the answer (curl: "send failure"), which is what an oversized upload from a script looked like.
 */
export function guardBodies(server: Server, options: BodyGuardOptions): void {
  const lingerMs = options.lingerMs ?? 5000;
  const lingerBytes = options.lingerBytes ?? 64 * 1024 * 1024;
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
        lingeringClose(req, lingerMs, lingerBytes);
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
function lingeringClose(req: IncomingMessage, lingerMs: number, lingerBytes: number): void {
  const socket = req.socket;
  if (lingering.has(socket) || socket.destroyed) return;
  lingering.add(socket);
  const readAtStart = socket.bytesRead;
  const close = () => {
    clearInterval(check);
    clearTimeout(timer);
    socket.destroy();
  };
  const timer = setTimeout(close, lingerMs);
  const check = setInterval(() => {
    if (socket.bytesRead - readAtStart > lingerBytes) close();
  }, 100);
  timer.unref();
  check.unref();
  socket.once("close", () => {
    clearInterval(check);
    clearTimeout(timer);
  });
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
