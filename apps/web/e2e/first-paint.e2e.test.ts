// Issue #19 in a real browser: the first HTML paints the shell, parts of the page load independently, no
// layout shift, a phone-sized screen works, and the basics (robots.txt, favicon, 404s) are right.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, screenshotPath, startStack } from "./stack.ts";

let stack: Stack;

beforeAll(async () => {
  // This file never creates a synced table nor watches a sync: the seed syncs at a quick pace.
  stack = await startStack(5_000, { pipelineStepMs: 100 });
});

afterAll(async () => {
  await stack?.stop();
});

/** Sums layout shifts from the first paint on, the way CLS counts them (none after recent input). */
async function trackLayoutShift(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __cls: number };
    w.__cls = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as unknown as { value: number; hadRecentInput: boolean }[]) {
        if (!entry.hadRecentInput) w.__cls += entry.value;
      }
    }).observe({ type: "layout-shift", buffered: true });
  });
}

const layoutShift = (page: Page) => page.evaluate(() => (window as unknown as { __cls: number }).__cls);

describe("first paint", () => {
  it("paints the shell from the HTML alone, before any script runs", async () => {
    const page = await stack.context.newPage();
    await page.route("**/assets/*.js", (route) => route.abort());
    await page.goto(stack.baseUrl);
    await page.getByRole("heading", { name: "Lakebase Orders" }).waitFor();
    expect(await page.locator("tr.skeleton-row").count()).toBeGreaterThan(5);
    expect(await page.getByRole("combobox", { name: "Status" }).isVisible()).toBe(true);
    expect(await page.locator("tr[data-order-key]").count()).toBe(0);
    await page.screenshot({ path: screenshotPath("shell-without-javascript") });

    await page.goto(`${stack.baseUrl}/admin`);
    await page.getByRole("heading", { name: "Lakebase resources" }).waitFor();
    await page.close();
  });

  it("asks for the table, the stats and the status in separate requests", async () => {
    const page = await stack.context.newPage();
    const calls: string[] = [];
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith("/api/trpc/")) calls.push(decodeURIComponent(url.pathname.slice(10)));
    });
    await page.goto(stack.baseUrl);
    await page.locator("tr[data-order-key]").first().waitFor();
    await page.locator(".stats svg.chart").waitFor();
    expect(calls).toContain("orders.list");
    expect(calls).toContain("orders.stats");
    expect(calls).toContain("lakebase.status");
    expect(calls.filter((call) => call.includes(","))).toEqual([]);
    await page.close();
  });

  it("does not shift the layout while the data arrives (desktop)", async () => {
    const page = await stack.context.newPage();
    await trackLayoutShift(page);
    await page.goto(stack.baseUrl);
    await page.locator("tr[data-order-key]").first().waitFor();
    await page.locator(".stats svg.chart").waitFor();
    await page.getByText("Last sync").waitFor();
    await page.waitForTimeout(300);
    expect(await layoutShift(page)).toBeLessThan(0.02);
    await page.close();
  });
});

describe("a phone (412 px)", () => {
  it("fits the screen: no sideways scroll, a one-line header, filters behind one button, rows on the first screen", async () => {
    const page = await stack.context.newPage();
    await page.setViewportSize({ width: 412, height: 823 });
    await trackLayoutShift(page);
    await page.goto(stack.baseUrl);
    const firstRow = page.locator("tr[data-order-key]").first();
    await firstRow.waitFor();
    await page.getByText("Last sync").waitFor();
    await page.waitForTimeout(300);

    const facts = await page.evaluate(() => {
      const frame = document.querySelector(".table-scroll") as HTMLElement;
      return {
        pageWidth: document.documentElement.scrollWidth,
        headerHeight: document.querySelector(".app-header")?.getBoundingClientRect().height,
        frameScrolls: frame.scrollWidth > frame.clientWidth,
      };
    });
    expect(facts.pageWidth).toBeLessThanOrEqual(412);
    expect(facts.headerHeight).toBe(48);
    expect(facts.frameScrolls).toBe(true);
    const box = await firstRow.boundingBox();
    expect(box && box.y + box.height).toBeLessThanOrEqual(823);
    expect(await layoutShift(page)).toBeLessThan(0.02);

    const status = page.getByRole("combobox", { name: "Status" });
    expect(await status.isVisible()).toBe(false);
    const toggle = page.getByRole("button", { name: /^Filters/ });
    expect(await toggle.getAttribute("aria-expanded")).toBe("false");
    await toggle.click();
    expect(await status.isVisible()).toBe(true);
    await status.selectOption("F");
    await page.waitForURL(/status=F/);
    // The count of active filters shows on the button; the panel stays open across the navigation.
    await page.getByRole("button", { name: "Filters (1)", exact: true }).waitFor();
    expect(await toggle.getAttribute("aria-expanded")).toBe("true");
    await page.screenshot({ path: screenshotPath("phone-filters-open") });
    await page.close();
  });
});

describe("basics", () => {
  it("has a description, a real robots.txt and favicon, and 404s for missing files", async () => {
    const page = await stack.context.newPage();
    await page.goto(stack.baseUrl);
    const description = await page.locator('meta[name="description"]').getAttribute("content");
    expect(description?.length).toBeGreaterThan(50);
    const robots = await fetch(`${stack.baseUrl}/robots.txt`);
    expect(robots.headers.get("content-type")).toContain("text/plain");
    expect(await robots.text()).toContain("User-agent: *");
    const icon = await fetch(`${stack.baseUrl}/favicon.svg`);
    expect(icon.headers.get("content-type")).toContain("image/svg+xml");
    for (const missing of ["/favicon.ico", "/sitemap.xml", "/assets/nope.js", "/admin/logo.png"]) {
      expect((await fetch(`${stack.baseUrl}${missing}`)).status, missing).toBe(404);
    }
    await page.close();
  });
});

describe("assets like a CDN", () => {
  it("loads brotli from the server, then reuses immutable assets and revalidates the HTML with a 304", async () => {
    const page = await stack.context.newPage();
    const cdp = await stack.context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.clearBrowserCache");
    // What went over the wire (status, encoding) and what the browser's cache answered, by request.
    const urls = new Map<string, string>();
    const wire = new Map<string, { status: number; encoding: string | undefined }>();
    const fromCache = new Set<string>();
    cdp.on("Network.requestWillBeSent", (e) => urls.set(e.requestId, new URL(e.request.url).pathname));
    cdp.on("Network.responseReceivedExtraInfo", (e) => {
      const headers = Object.fromEntries(Object.entries(e.headers).map(([k, v]) => [k.toLowerCase(), v]));
      wire.set(e.requestId, { status: e.statusCode, encoding: headers["content-encoding"] });
    });
    cdp.on("Network.requestServedFromCache", (e) => fromCache.add(e.requestId));
    const byUrl = (path: string) => {
      const ids = [...urls].filter(([, url]) => url === path).map(([id]) => id);
      return {
        wire: ids.map((id) => wire.get(id)).find(Boolean),
        cached: ids.some((id) => fromCache.has(id)),
      };
    };

    await page.goto(stack.baseUrl);
    await page.locator("tr[data-order-key]").first().waitFor();
    const script = [...urls.values()].find((url) => /^\/assets\/index-.*\.js$/.test(url)) ?? "";
    expect(byUrl(script)).toEqual({ wire: { status: 200, encoding: "br" }, cached: false });
    expect(byUrl("/").wire).toEqual({ status: 200, encoding: "br" });

    urls.clear();
    await page.goto(stack.baseUrl);
    await page.locator("tr[data-order-key]").first().waitFor();
    // The HTML is revalidated (no-cache + ETag): a 304 without a body. The hashed script never leaves the cache.
    expect(byUrl("/").wire?.status).toBe(304);
    expect(byUrl(script)).toEqual({ wire: undefined, cached: true });
    await page.close();
  });
});
