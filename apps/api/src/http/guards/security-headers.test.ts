import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { securityHeaders } from "./security-headers.ts";

function app() {
  const a = new Hono();
  a.use("*", securityHeaders({ scripts: ["'sha256-abc'"], styles: [] }));
  a.get("/api/answer", (c) => c.json({ ok: true }));
  a.get("/api/missing", (c) => c.json({ error: "not found" }, 404));
  a.get("/api/problem", (c) => c.body('{"detail":"x"}', 400, { "content-type": "application/problem+json" }));
  a.get("/api/docs", (c) => c.html("<html></html>"));
  a.get("/api/export.csv", (c) => c.body("a,b\n", 200, { "content-type": "text/csv" }));
  a.get("/page", (c) => c.html("<html></html>"));
  a.get("/data.json", (c) => c.json({ ok: true }));
  return a;
}

const PAGE_ONLY = ["x-frame-options", "referrer-policy", "cross-origin-opener-policy", "x-xss-protection"];

describe("securityHeaders by what the answer is", () => {
  it.each(["/api/answer", "/api/missing", "/api/problem"])(
    "a JSON answer of the API (%s) carries what JSON needs: no sniffing, nothing loads or frames it, no embedding, HSTS",
    async (path) => {
      const res = await app().request(`http://app.example${path}`);
      expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("cross-origin-resource-policy")).toBe("same-origin");
      expect(res.headers.get("strict-transport-security")).toContain("max-age=");
      for (const name of PAGE_ONLY) expect(res.headers.get(name), name).toBeNull();
    },
  );

  it.each(["/api/docs", "/api/export.csv", "/page", "/data.json"])(
    "anything else (%s) carries the page headers: the SPA's CSP, no framing, no referrer",
    async (path) => {
      const res = await app().request(`http://app.example${path}`);
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("script-src 'self' 'sha256-abc'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    },
  );
});
