import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { CachingRouter } from "./route-cache.ts";

function app() {
  const router = new CachingRouter<unknown>();
  const hono = new Hono({ router: router as never });
  hono.use("*", async (c, next) => {
    await next();
    c.header("x-seen", "1");
  });
  hono.get("/health", (c) => c.text("ok"));
  hono.get("/orders/count", (c) => c.text("count"));
  hono.get("/orders/:key", (c) => c.text(`key ${c.req.param("key")}`));
  hono.get("/orders/:key/history", (c) => c.text(`history ${c.req.param("key")}`));
  return { hono, router };
}

describe("the caching router", () => {
  it("answers as Hono's own router, static paths and parameters, from the cache or not", async () => {
    const { hono, router } = app();
    for (let round = 0; round < 2; round++) {
      const count = await hono.request("/orders/count");
      expect(await count.text()).toBe("count");
      expect(count.headers.get("x-seen")).toBe("1");
      expect(await (await hono.request("/orders/7")).text()).toBe("key 7");
      expect(await (await hono.request("/orders/8")).text()).toBe("key 8");
      expect(await (await hono.request("/orders/9/history")).text()).toBe("history 9");
      expect(await (await hono.request("/health")).text()).toBe("ok");
      expect((await hono.request("/nowhere")).status).toBe(404);
    }
    // The routes above are the mix RegExpRouter refuses: the fallback is the one whose matches cost.
    expect(router.name).toBe("CachingRouter + SmartRouter + TrieRouter");
  });

  it("keeps a match without parameters only, and stays bounded", () => {
    const { router } = app();
    const health = router.match("GET", "/health");
    expect(router.match("GET", "/health")).toBe(health);
    // `/orders/count` is also `/orders/:key` with key "count": a match with a parameter, never kept.
    expect(router.match("GET", "/orders/count")).not.toBe(router.match("GET", "/orders/count"));
    expect(router.match("GET", "/orders/7")).not.toBe(router.match("GET", "/orders/7"));
    for (let i = 0; i < 2000; i++) router.match("GET", `/other/${i}`);
    expect(router.match("GET", "/health")[0]).toEqual(health[0]);
  });
});
