import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createOrdersFixture, type OrdersFixture } from "@lakebase-orders/api/testing";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let f: OrdersFixture;
let server: ReturnType<typeof serve>;
let baseUrl: string;
let browser: Browser;

beforeAll(async () => {
  f = await createOrdersFixture("api_rest_docs", 200);
  server = await new Promise((resolve) => {
    const s = serve({ fetch: f.app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (server) {
    if ("closeAllConnections" in server) server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await f?.close();
});

describe("GET /api/docs", () => {
  it("is a page of our own assets only", async () => {
    const res = await fetch(`${baseUrl}/api/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script>/);
    for (const [asset, type] of [
      ["swagger-ui-bundle.js", /javascript/],
      ["swagger-ui.css", /text\/css/],
      ["init.js", /javascript/],
      ["favicon-32x32.png", /image\/png/],
    ] as const) {
      const r = await fetch(`${baseUrl}/api/docs/${asset}`);
      expect(r.status, asset).toBe(200);
      expect(r.headers.get("content-type"), asset).toMatch(type);
      expect((await r.arrayBuffer()).byteLength, asset).toBeGreaterThan(100);
    }
    expect((await fetch(`${baseUrl}/api/docs/package.json`)).status).toBe(404);
  });

  it("works in Chromium with every request off this origin blocked, and can call the API", {
    timeout: 60_000,
  }, async () => {
    const page = await browser.newPage();
    const offOrigin: string[] = [];
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (new URL(url).origin === baseUrl) return route.continue();
      offOrigin.push(url);
      return route.abort("internetdisconnected");
    });
    const consoleErrors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(m.text());
    });
    await page.goto(`${baseUrl}/api/docs`);
    const doc = (await (await fetch(`${baseUrl}/api/openapi.json`)).json()) as {
      paths: Record<string, object>;
    };
    const operations = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
    await page
      .locator(".opblock")
      .nth(operations - 1)
      .waitFor();
    expect(await page.locator(".opblock").count()).toBe(operations);
    expect(await page.locator(".info .title").textContent()).toMatch(/Lakebase Orders API/);

    // Try it out: the count, from the browser, through the docs.
    const count = page.locator("#operations-orders-get_order_count");
    await count.locator(".opblock-summary").click();
    await count.locator(".try-out__btn").click();
    await count.locator(".execute").click();
    await expect
      .poll(() => count.locator(".live-responses-table").textContent(), { timeout: 15_000 })
      .toMatch(/"total_orders": 200/);

    expect(offOrigin).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await page.close();
  });
});
