// An HTTP proxy in front of the local Lakebase's REST API that records who made each call (the bearer
// token, for the test to name), so a test can tell which identity the app used for what.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedCall {
  method: string;
  path: string;
  /** The bearer token sent, or null. */
  bearer: string | null;
  status: number;
}

export interface RecordingProxy {
  readonly url: string;
  readonly calls: RecordedCall[];
  close(): Promise<void>;
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const calls: RecordedCall[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const headers = new Headers();
      for (const [key, value] of Object.entries(req.headers)) {
        if (typeof value === "string" && key !== "host" && key !== "connection") headers.set(key, value);
      }
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      try {
        const response = await fetch(new URL(req.url ?? "/", target), {
          method: req.method ?? "GET",
          headers,
          ...(body && req.method !== "GET" && req.method !== "HEAD" ? { body } : {}),
        });
        const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1] ?? null;
        const path = (req.url ?? "/").split("?")[0] ?? "/";
        calls.push({ method: req.method ?? "GET", path, bearer, status: response.status });
        const text = Buffer.from(await response.arrayBuffer());
        res.writeHead(response.status, {
          "content-type": response.headers.get("content-type") ?? "application/json",
        });
        res.end(text);
      } catch (error) {
        res.writeHead(502).end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
