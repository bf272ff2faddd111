import net from "node:net";

export interface UploadOutcome {
  /** The HTTP status the client read, or null when it never got to read one. */
  status: number | null;
  /** Body bytes written before the answer, the end of the upload, or a failed write. */
  sent: number;
  /** "before-body": answered before it sent its body (Expect); "after-body": read once all was sent; else how the write failed. */
  how: "before-body" | "after-body" | string;
}

/**
 * A client that uploads a body of `size` bytes and reads the answer only once it has sent all of it, as
 * simple clients and scripts do (curl reads early only on a 100-continue exchange): with `expect`, it first
 * waits up to 1 s for `100 Continue` or a final answer, as curl does. A server that closes while such a
 * client still writes leaves it with a failed write and no answer.
 */
export function uploadThenRead(
  url: string,
  path: string,
  size: number,
  expect: boolean,
): Promise<UploadOutcome> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ port: Number(u.port), host: u.hostname, allowHalfOpen: true });
    let received = "";
    let sent = 0;
    let uploading = false;
    let done = false;
    const statusOf = () => {
      const final = received.replace(/^HTTP\/1\.1 100[^\n]*\n\r?\n/, "");
      const match = /^HTTP\/1\.1 (\d{3})/.exec(final);
      return match ? Number(match[1]) : null;
    };
    const finish = (how: string, status: number | null) => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve({ status, sent, how });
    };
    socket.on("data", (c: Buffer) => {
      received += c.toString("latin1");
    });
    socket.on("error", (e: NodeJS.ErrnoException) =>
      finish(e.code ?? "error", uploading ? null : statusOf()),
    );
    socket.on("close", () => finish("closed", uploading ? null : statusOf()));
    const chunk = Buffer.alloc(64 * 1024, 120);
    const pump = () => {
      uploading = true;
      socket.pause();
      while (sent < size) {
        sent += chunk.length;
        if (!socket.write(chunk)) {
          socket.once("drain", pump);
          return;
        }
      }
      uploading = false;
      socket.resume();
      const deadline = Date.now() + 20_000;
      const poll = setInterval(() => {
        const status = statusOf();
        if (status !== null || Date.now() > deadline) {
          clearInterval(poll);
          finish(status === null ? "no answer in 20 s" : "after-body", status);
        }
      }, 10);
    };
    socket.on("connect", () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/json\r\nContent-Length: ${size}\r\n${expect ? "Expect: 100-continue\r\n" : ""}\r\n`,
      );
      if (!expect) return pump();
      const started = Date.now();
      const wait = setInterval(() => {
        const status = statusOf();
        if (status !== null) {
          clearInterval(wait);
          finish("before-body", status);
        } else if (/^HTTP\/1\.1 100/.test(received) || Date.now() - started > 1000) {
          clearInterval(wait);
          pump();
        }
      }, 5);
    });
  });
}
