import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { limitBody } from "./body-limit.ts";
import { inlineHashes } from "./inline-hashes.ts";
import { jsonBodiesOnly } from "./json-bodies.ts";
import { createLimits } from "./limits.ts";
import { createRateLimiter, rateLimit } from "./rate-limit.ts";
import { sameOriginOnly } from "./same-origin.ts";
import { securityHeaders } from "./security-headers.ts";
import { wellFormedUrl } from "./well-formed-url.ts";

// Each guard on its own, on a bare Hono app: they are plain middlewares, usable on any route.
function appWith(...guards: Parameters<Hono["use"]>[1][]) {
  const app = new Hono();
  for (const guard of guards) app.use("*", guard);
  app.all("*", async (c) => c.json({ ok: true, body: c.req.method === "POST" ? await c.req.text() : null }));
  return app;
}

const URL_ = "http://app.example/api/trpc/orders.count";

async function errorOf(res: Response) {
  return ((await res.json()) as { error: { message: string; data: { code: string; httpStatus: number } } })
    .error;
}

describe("sameOriginOnly", () => {
  const app = appWith(sameOriginOnly({ allowedOrigins: ["https://tools.example"] }));
  const status = async (headers: Record<string, string>) => (await app.request(URL_, { headers })).status;

  it("lets same-origin, typed-in and non-browser requests through", async () => {
    expect(await status({ "Sec-Fetch-Site": "same-origin", Origin: "http://app.example" })).toBe(200);
    expect(await status({ "Sec-Fetch-Site": "none" })).toBe(200);
    expect(await status({})).toBe(200);
    expect(await status({ Origin: "http://app.example" })).toBe(200);
    expect(await status({ Origin: "https://tools.example", "Sec-Fetch-Site": "cross-site" })).toBe(200);
  });

  it("refuses cross-site and same-site requests, and foreign or opaque origins, with 403", async () => {
    const refused: Record<string, string>[] = [
      { "Sec-Fetch-Site": "cross-site" },
      { "Sec-Fetch-Site": "same-site", Origin: "https://other-app.app.example" },
      { Origin: "https://evil.example" },
      { Origin: "null" },
      { Origin: "http://app.example.evil.example" },
    ];
    for (const headers of refused) {
      const res = await app.request(URL_, { method: "POST", headers });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect((await errorOf(res)).data).toEqual({ code: "FORBIDDEN", httpStatus: 403 });
    }
  });

  it("answers in the shape of the surface: tRPC errors under /api/trpc, {detail} elsewhere (REST)", async () => {
    const res = await app.request("http://app.example/api/v1/orders", {
      headers: { "Sec-Fetch-Site": "cross-site" },
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      detail: "Forbidden: Cross-site request refused (Sec-Fetch-Site: cross-site)",
    });
  });

  it("believes X-Forwarded-Host only when told to (behind the Apps proxy)", async () => {
    const headers = {
      Origin: "https://orders.aws.databricksapps.com",
      "X-Forwarded-Host": "orders.aws.databricksapps.com",
    };
    expect((await app.request(URL_, { headers })).status).toBe(403);
    const proxied = appWith(sameOriginOnly({ trustForwardedHost: true }));
    expect((await proxied.request(URL_, { headers })).status).toBe(200);
  });
});

describe("jsonBodiesOnly", () => {
  const app = appWith(jsonBodiesOnly());
  const post = (headers: Record<string, string>, body: RequestInit["body"] = "{}") =>
    app.request(URL_, { method: "POST", headers, body });

  it("takes JSON bodies (UTF-8), and requests with neither a body nor a Content-Type", async () => {
    expect((await post({ "content-type": "application/json" })).status).toBe(200);
    expect((await post({ "content-type": "Application/JSON; charset=UTF-8" })).status).toBe(200);
    expect((await app.request(URL_, { method: "DELETE" })).status).toBe(200);
    expect((await app.request(`${URL_}?acknowledge_cost=true`, { method: "POST" })).status).toBe(200);
    expect((await app.request(URL_)).status).toBe(200);
  });

  it("refuses forms, text, octet streams and other charsets with 415", async () => {
    const form = new FormData();
    form.set("orderKey", "1");
    expect((await app.request(URL_, { method: "POST", body: form })).status).toBe(415);
    for (const type of [
      "application/x-www-form-urlencoded",
      "text/plain",
      "application/octet-stream",
      "application/jsonx",
      "application/json; charset=utf-16",
    ]) {
      const res = await post({ "content-type": type });
      expect(res.status, type).toBe(415);
      expect((await errorOf(res)).data.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    }
    // A body without any Content-Type is not JSON either.
    const untyped = { method: "POST", body: new Blob(["{}"]), headers: { "content-length": "2" } };
    expect((await app.request(URL_, untyped)).status).toBe(415);
    expect(
      (await app.request(URL_, { method: "PUT", headers: { "content-type": "text/plain" } })).status,
    ).toBe(415);
  });
});

describe("limitBody", () => {
  const app = appWith(limitBody(1024));

  it("answers 413 by Content-Length, before reading, and closes the connection", async () => {
    const res = await app.request(URL_, {
      method: "POST",
      body: "x".repeat(1025),
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(413);
    expect(res.headers.get("connection")).toBe("close");
    expect((await errorOf(res)).data.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("counts a streamed (chunked) body as it arrives", async () => {
    const chunks = (n: number) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < n; i++) controller.enqueue(new Uint8Array(256).fill(120));
          controller.close();
        },
      });
    const send = (n: number) =>
      app.request(URL_, { method: "POST", body: chunks(n), duplex: "half" } as RequestInit);
    expect((await send(5)).status).toBe(413);
    const small = await send(3);
    expect(small.status).toBe(200);
    expect(((await small.json()) as { body: string }).body).toHaveLength(768);
  });
});

describe("wellFormedUrl", () => {
  const app = appWith(wellFormedUrl());

  it("answers 400 for a path that does not decode, and passes good escapes", async () => {
    for (const path of ["/api/trpc/orders.count%ZZ", "/api/%", "/x%C0%AE%C0%AE", "/x%E0%A4%A"]) {
      expect((await app.request(`http://app.example${path}`)).status, path).toBe(400);
    }
    expect((await app.request("http://app.example/api/trpc/orders.count%2Corders.list")).status).toBe(200);
    expect((await app.request("http://app.example/api/trpc/orders.count?input=%ZZ")).status).toBe(200);
  });
});

describe("rate limits", () => {
  it("refills continuously and says when to retry", () => {
    let now = 0;
    const limiter = createRateLimiter({ perMinute: 60, now: () => now });
    for (let i = 0; i < 60; i++) expect(limiter.take("ada").ok).toBe(true);
    expect(limiter.take("ada")).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(limiter.take("bob").ok).toBe(true);
    now += 1000;
    expect(limiter.take("ada").ok).toBe(true);
    expect(limiter.take("ada").ok).toBe(false);
    now += 60_000;
    expect(limiter.take("ada", 10).ok).toBe(true);
  });

  it("lets a batch larger than the bucket through once the bucket is full, never more often", () => {
    let now = 0;
    const limiter = createRateLimiter({ perMinute: 6, now: () => now });
    expect(limiter.take("ada", 10).ok).toBe(true);
    const refused = limiter.take("ada", 10);
    expect(refused.ok).toBe(false);
    expect(refused.ok === false && refused.retryAfterSeconds).toBe(100); // 10 tokens owed at 0.1/s
    now += 100_000;
    expect(limiter.take("ada", 10).ok).toBe(true);
  });

  it("is off at 0, and forgets the least recently seen keys beyond its bound", () => {
    const off = createRateLimiter({ perMinute: 0 });
    for (let i = 0; i < 1000; i++) expect(off.take("x").ok).toBe(true);
    const small = createRateLimiter({ perMinute: 1, maxKeys: 2, now: () => 0 });
    small.take("a");
    small.take("b");
    small.take("c"); // forgets "a", whose bucket is full again
    expect(small.take("a").ok).toBe(true);
    expect(small.take("c").ok).toBe(false);
  });

  it("charges an expensive read only when it is not the same question within the cache's lifetime", () => {
    let now = 0;
    const limits = createLimits(
      {
        limits: { writesPerMinute: 60, expensiveReadsPerMinute: 3 },
        orders: { countCacheTtlSeconds: 10 },
      },
      { now: () => now },
    );
    const ada = limits.budgetFor("ada");
    for (let i = 0; i < 50; i++) ada.expensiveRead("count:[]"); // one charge: then it is cached
    ada.expensiveRead("count:[F]");
    ada.expensiveRead("count:[O]");
    expect(() => ada.expensiveRead("count:[P]")).toThrow(
      expect.objectContaining({ kind: "too_many_requests", retryAfterSeconds: 20 }),
    );
    limits.budgetFor("bob").expensiveRead("count:[P]"); // a bucket per caller
    now += 10_000; // the cached answer expired: asking again costs again
    expect(() => ada.expensiveRead("count:[]")).toThrow(/Too many uncached counts/);
  });

  it("answers 429 with Retry-After, before the handler", async () => {
    const limiter = createRateLimiter({ perMinute: 2, now: () => 0 });
    const app = appWith(rateLimit({ limiter, key: (c) => c.req.header("x-who") ?? "?", what: "changes" }));
    const send = (who: string) => app.request(URL_, { method: "POST", headers: { "x-who": who } });
    expect((await send("ada")).status).toBe(200);
    expect((await send("ada")).status).toBe(200);
    const limited = await send("ada");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("30");
    expect((await errorOf(limited)).message).toBe("Too many changes; retry in 30 s");
    expect((await send("bob")).status).toBe(200);
  });
});

describe("securityHeaders", () => {
  it("sends a CSP allowing only the app's own resources, no framing, no sniffing, no referrer", async () => {
    const res = await appWith(securityHeaders()).request("http://app.example/");
    const csp = res.headers.get("content-security-policy") ?? "";
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "connect-src 'self'",
      "object-src 'none'",
      "frame-ancestors 'none'",
      "base-uri 'self'",
      "form-action 'self'",
    ]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toContain("unsafe");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
  });

  it("allows the inline blocks of the built pages by their hash, and nothing else inline", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "csp-"));
    try {
      const boot = "let s=0;import('/assets/index.js')";
      const css = "body{margin:0}";
      fs.writeFileSync(
        path.join(dir, "index.html"),
        `<html><head><style>${css}</style><script type="module" crossorigin src="/assets/x.js"></script></head><body><script type="module">${boot}</script></body></html>`,
      );
      fs.writeFileSync(path.join(dir, "admin.html"), `<style>${css}</style>`);
      const sha = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;
      const hashes = inlineHashes(dir);
      expect(hashes).toEqual({ scripts: [sha(boot)], styles: [sha(css)] });
      const res = await appWith(securityHeaders(hashes)).request("http://app.example/");
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp).toContain(`script-src 'self' ${sha(boot)}`);
      expect(csp).toContain(`style-src 'self' ${sha(css)}`);
      expect(inlineHashes(null)).toEqual({ scripts: [], styles: [] });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
