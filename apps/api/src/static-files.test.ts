import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createDb } from "@lakebase-orders/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "./app.ts";
import { silentLogger } from "./log.ts";

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
  app = createApp({ db, logger: silentLogger, staticDir: dir });
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
