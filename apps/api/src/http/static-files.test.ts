import fs from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import { type ServerType, serve } from "@hono/node-server";
import { loadConfig } from "@lakebase-orders/config";
import { createDb } from "@lakebase-orders/db";
import { silentLogger } from "@lakebase-orders/log";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServices } from "../start/services.ts";
import { createApp } from "./app.ts";
import { serveSpa } from "./static-files.ts";

let dir: string;
// Never connects: these routes do not touch the database.
const db = createDb({ connectionString: "postgresql://nobody:none@127.0.0.1:1/none" });
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "api-static-"));
  await fs.mkdir(path.join(dir, "assets"));
  await fs.writeFile(path.join(dir, "index.html"), "<!doctype html><title>orders</title>");
  await fs.writeFile(path.join(dir, "assets", "index-abc123.js"), "console.log(1)");
  await fs.writeFile(path.join(dir, "favicon.svg"), "<svg/>");
  await fs.writeFile(path.join(dir, "admin.html"), "<!doctype html><title>admin</title>");
  await fs.writeFile(path.join(os.tmpdir(), "api-static-secret.txt"), "secret");
  app = createApp(buildServices(loadConfig({ STATIC_DIR: dir }), db, { logger: silentLogger }));
});

afterAll(async () => {
  await db.disconnect();
  await fs.rm(dir, { recursive: true, force: true });
  await fs.rm(path.join(os.tmpdir(), "api-static-secret.txt"), { force: true });
});

describe("serving the SPA", () => {
  it("caches hashed assets for a year and revalidates index.html", async () => {
    const asset = await app.request("/assets/index-abc123.js");
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(asset.headers.get("content-type")).toContain("javascript");
    expect(await asset.text()).toBe("console.log(1)");
    const index = await app.request("/");
    expect(index.headers.get("cache-control")).toBe("no-cache");
    expect(index.headers.get("content-type")).toContain("text/html");
    const icon = await app.request("/favicon.svg");
    expect(icon.headers.get("cache-control")).toBe("no-cache");
  });

  it("falls back to index.html for client routes but not for /api or missing assets", async () => {
    const route = await app.request("/orders/42?tab=history");
    expect(route.status).toBe(200);
    expect(await route.text()).toContain("<title>orders</title>");
    expect((await app.request("/api/nope")).status).toBe(404);
    expect((await app.request("/assets/index-old.js")).status).toBe(404);
  });

  it("answers 404 for a missing file with an extension, never the SPA's HTML", async () => {
    for (const missing of ["/favicon.ico", "/robots.txt", "/sitemap.xml", "/admin/logo.png"]) {
      const res = await app.request(missing);
      expect(res.status, missing).toBe(404);
      expect(await res.text()).not.toContain("<title>");
    }
  });

  it("serves a prerendered route from its own HTML file", async () => {
    const admin = await app.request("/admin");
    expect(admin.status).toBe(200);
    expect(await admin.text()).toContain("<title>admin</title>");
    expect(admin.headers.get("cache-control")).toBe("no-cache");
    expect(await (await app.request("/admin/")).text()).toContain("<title>admin</title>");
  });

  it("does not serve files outside the directory", async () => {
    const res = await app.request("/%2e%2e/api-static-secret.txt");
    expect(await res.text()).not.toBe("secret");
    const res2 = await app.request("/..%2fapi-static-secret.txt");
    expect(await res2.text()).not.toBe("secret");
  });

  it("answers health without a database", async () => {
    expect((await app.request("/api/health")).status).toBe(200);
    expect((await app.request("/api/ready")).status).toBe(503);
  });
});

describe("assets like a CDN (serveSpa on a real server)", () => {
  let spaDir: string;
  let server: ServerType;
  let base: string;
  const script = `console.log(${JSON.stringify("x".repeat(4000))});`;

  beforeAll(async () => {
    spaDir = await fs.mkdtemp(path.join(os.tmpdir(), "api-static-cdn-"));
    await fs.mkdir(path.join(spaDir, "assets"));
    await fs.writeFile(path.join(spaDir, "index.html"), "<!doctype html><title>orders</title>");
    await fs.writeFile(path.join(spaDir, "assets", "index-abc.js"), script);
    // What the build writes beside each compressible file.
    await fs.writeFile(path.join(spaDir, "assets", "index-abc.js.br"), brotliCompressSync(script));
    await fs.writeFile(path.join(spaDir, "assets", "index-abc.js.gz"), gzipSync(script));
    await fs.writeFile(path.join(spaDir, "robots.txt"), "User-agent: *\nDisallow: /api/\n");
    const spa = new Hono();
    spa.get("*", serveSpa(spaDir));
    await new Promise<void>((resolve) => {
      server = serve({ fetch: spa.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve());
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await fs.rm(spaDir, { recursive: true, force: true });
  });

  /** Raw bytes as sent (node:http does not decode), to see the encoding on the wire. */
  function get(url: string, headers: Record<string, string> = {}, method = "GET") {
    return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>(
      (resolve, reject) => {
        const req = http.request(`${base}${url}`, { method, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          );
        });
        req.on("error", reject);
        req.end();
      },
    );
  }

  it("sends the build's brotli or gzip file by Accept-Encoding, identity otherwise, always with Vary", async () => {
    const br = await get("/assets/index-abc.js", { "accept-encoding": "gzip, deflate, br, zstd" });
    expect(br.headers["content-encoding"]).toBe("br");
    expect(brotliDecompressSync(br.body).toString()).toBe(script);
    expect(Number(br.headers["content-length"])).toBe(br.body.length);
    expect(br.body.length).toBeLessThan(script.length / 10);
    const gz = await get("/assets/index-abc.js", { "accept-encoding": "gzip" });
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(gz.body).toString()).toBe(script);
    const plain = await get("/assets/index-abc.js");
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body.toString()).toBe(script);
    for (const res of [br, gz, plain]) {
      expect(res.headers.vary).toBe("Accept-Encoding");
      expect(res.headers["content-type"]).toBe("text/javascript; charset=utf-8");
      expect(res.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    }
    const robots = await get("/robots.txt", { "accept-encoding": "br" });
    expect(robots.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(robots.headers["content-encoding"]).toBeUndefined();
  });

  it("answers a matching If-None-Match with 304 and no body, for assets and HTML alike", async () => {
    const first = await get("/", { "accept-encoding": "br" });
    expect(first.status).toBe(200);
    expect(first.headers["cache-control"]).toBe("no-cache");
    const etag = first.headers.etag ?? "";
    expect(etag).toMatch(/^W\/"[0-9a-f]+-[0-9a-f]+"$/);
    const again = await get("/", { "if-none-match": etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers.etag).toBe(etag);
    expect(again.headers["cache-control"]).toBe("no-cache");
    // A client route answers with index.html's tag; a stale tag gets the full file.
    expect((await get("/orders/7", { "if-none-match": etag })).status).toBe(304);
    expect((await get("/", { "if-none-match": 'W/"0-0"' })).status).toBe(200);

    const asset = await get("/assets/index-abc.js");
    const cached = await get("/assets/index-abc.js", { "if-none-match": `"x", ${asset.headers.etag}` });
    expect(cached.status).toBe(304);
  });

  it("answers HEAD and byte ranges like a file server", async () => {
    const head = await get("/assets/index-abc.js", {}, "HEAD");
    expect(head.status).toBe(200);
    expect(Number(head.headers["content-length"])).toBe(script.length);
    expect(head.body.length).toBe(0);
    const part = await get("/assets/index-abc.js", { range: "bytes=0-11" });
    expect(part.status).toBe(206);
    expect(part.body.toString()).toBe(script.slice(0, 12));
  });

  it("streams a large file instead of reading it whole", async () => {
    const big = Buffer.alloc(8 * 1024 * 1024, 97);
    await fs.writeFile(path.join(spaDir, "assets", "big-123.txt"), big);
    const res = await get("/assets/big-123.txt");
    expect(res.status).toBe(200);
    expect(res.body.equals(big)).toBe(true);
    expect(res.headers["transfer-encoding"]).toBeUndefined();
    expect(Number(res.headers["content-length"])).toBe(big.length);
  });
});
