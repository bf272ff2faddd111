import net from "node:net";

/** Holds a suspended cluster's port until it resumes. */
export interface PortReservation {
  /** Stops listening and ends the connections it holds; the port is then free for the postmaster. */
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
/** A startup packet is a few hundred bytes; anything beyond this is not a PostgreSQL client. */
const MAX_PACKET = 10_000;
/** How long a client may take to send its startup packet before it is cut off. */
const IDLE_MS = 5_000;

/**
 * Listens on a suspended cluster's port so that no other server (a free-port pick elsewhere) takes it,
 * and answers each client as PostgreSQL does while it cannot take connections: SQLSTATE 57P03, with
 * `message`. Undefined when the port is already taken by something else.
 */
export async function reservePort(port: number, message: string): Promise<PortReservation | undefined> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    socket.setTimeout(IDLE_MS, () => socket.destroy());
    refuse(socket, message);
  });
  const listening = await new Promise<boolean>((resolve) => {
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => resolve(true));
  });
  if (!listening) return undefined;
  server.unref();
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Reads packets until the startup packet (after refusing SSL/GSS encryption), then sends the error. */
function refuse(socket: net.Socket, message: string): void {
  let buffered = Buffer.alloc(0);
  socket.on("data", (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 8) {
      const length = buffered.readInt32BE(0);
      if (length < 8 || length > MAX_PACKET) return void socket.destroy();
      if (buffered.length < length) return;
      const code = buffered.readInt32BE(4);
      buffered = buffered.subarray(length);
      if (length === 8 && (code === SSL_REQUEST || code === GSSENC_REQUEST)) {
        socket.write("N");
        continue;
      }
      socket.end(errorResponse("57P03", message));
      return;
    }
  });
}

/** A FATAL ErrorResponse message ('E'), as the server sends before it closes a connection it refuses. */
function errorResponse(code: string, message: string): Buffer {
  const fields = Buffer.concat(
    [
      ["S", "FATAL"],
      ["V", "FATAL"],
      ["C", code],
      ["M", message],
    ].map(([type, value]) => Buffer.from(`${type}${value}\0`, "utf8")),
  );
  const body = Buffer.concat([fields, Buffer.from([0])]);
  const header = Buffer.alloc(5);
  header.write("E", 0, "latin1");
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}
