import type { Page, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "./stack.ts";

// What the analyst feels, measured in Chromium on the real stack and printed (figures, not pass marks:
// performance claims live in bench/): the orders page's largest contentful paint on a cold load, and the time
// from a filter change (or the Next button) to the new rows on screen.

const ROWS = 100_000;
let stack: Stack;
let page: Page;
const report: string[] = [];

beforeAll(async () => {
  // This file never creates a synced table nor watches a sync: the seed syncs at a quick pace.
  stack = await startStack(ROWS, { pipelineStepMs: 100 });
  // Measure a settled server: its indexes and counts rollup are built before the first page is asked for.
  await stack.server.services.orders.ready();
  page = await stack.context.newPage();
  // LCP entries as the browser reports them, from the first paint on.
  await page.addInitScript(() => {
    const w = window as unknown as { __lcp: number[] };
    w.__lcp = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) w.__lcp.push(entry.startTime);
    }).observe({ type: "largest-contentful-paint", buffered: true });
  });
});

afterAll(async () => {
  if (report.length > 0)
    process.stderr.write(`\nanalyst timing (${ROWS.toLocaleString("en")} orders)\n${report.join("\n")}\n`);
  await stack?.stop();
});

const rowKeys = () =>
  page.locator("tr[data-order-key]").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-order-key")));

/**
 * Milliseconds from `act` (timed in the page, at the control's change or click event) until the table shows
 * other rows than before.
 */
async function timeToNewRows(act: () => Promise<void>): Promise<number> {
  const before = (await rowKeys()).join(",");
  await page.evaluate((previous) => {
    const w = window as unknown as { __started?: number; __shown?: Promise<number> };
    delete w.__started;
    const mark = () => {
      w.__started ??= performance.now();
    };
    document.addEventListener("change", mark, { capture: true, once: true });
    document.addEventListener("click", mark, { capture: true, once: true });
    w.__shown = new Promise((resolve) => {
      const check = () => {
        const keys = [...document.querySelectorAll("tr[data-order-key]")].map((tr) =>
          tr.getAttribute("data-order-key"),
        );
        if (keys.length > 0 && keys.join(",") !== previous && w.__started !== undefined) {
          observer.disconnect();
          resolve(performance.now() - w.__started);
        }
      };
      const observer = new MutationObserver(check);
      observer.observe(document.body, { childList: true, subtree: true, attributes: true });
    });
  }, before);
  await act();
  return page.evaluate(() => (window as unknown as { __shown: Promise<number> }).__shown);
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)]!;
const fmt = (v: number[]) =>
  `median ${median(v).toFixed(0)} ms, max ${Math.max(...v).toFixed(0)} ms (n=${v.length})`;

describe("what the analyst feels", () => {
  it("cold load of the orders page: largest contentful paint and first rows", async () => {
    const cdp = await stack.context.newCDPSession(page);
    const lcps: number[] = [];
    const firstRows: number[] = [];
    for (let i = 0; i < 3; i++) {
      // Cold: no HTTP cache, no service worker, a new document.
      await cdp.send("Network.clearBrowserCache");
      await page.goto("about:blank");
      await page.goto(stack.baseUrl);
      await page.locator("tr[data-order-key]").first().waitFor();
      firstRows.push(await page.evaluate(() => performance.now()));
      // LCP settles once the page stops painting bigger things; the last entry is the one that counts.
      await page.waitForTimeout(500);
      const entries = await page.evaluate(() => (window as unknown as { __lcp: number[] }).__lcp);
      expect(entries.length).toBeGreaterThan(0);
      lcps.push(entries.at(-1)!);
    }
    report.push(`  cold load, largest contentful paint: ${fmt(lcps)}`);
    report.push(`  cold load, first rows on screen:      ${fmt(firstRows)}`);
  });

  it("filter changes: time from the change to the new rows", async () => {
    const status = page.getByRole("combobox", { name: "Status" });
    const priority = page.getByRole("combobox", { name: "Priority" });
    const sort = page.getByRole("combobox", { name: "Sort" });
    const changes: [string, () => Promise<unknown>][] = [
      ["status F", () => status.selectOption("F")],
      ["priority 1-URGENT", () => priority.selectOption("1-URGENT")],
      ["sort -totalPrice", () => sort.selectOption("-totalPrice")],
      ["status P", () => status.selectOption("P")],
      ["priority 5-LOW", () => priority.selectOption("5-LOW")],
      ["sort orderDate", () => sort.selectOption("orderDate")],
      ["status O", () => status.selectOption("O")],
      ["status any", () => status.selectOption("")],
      ["priority any", () => priority.selectOption("")],
    ];
    const times: number[] = [];
    for (const [label, act] of changes) {
      const ms = await timeToNewRows(async () => {
        await act();
      });
      times.push(ms);
      report.push(`  filter change ${label.padEnd(18)} ${ms.toFixed(0)} ms`);
    }
    report.push(`  filter change to new rows: ${fmt(times)}`);
  });

  it("next page: time from the click to its rows, and whether it was asked for before the click", async () => {
    await page.goto(stack.baseUrl);
    await page.locator("tr[data-order-key]").first().waitFor();
    const times: number[] = [];
    let prefetched = 0;
    for (let i = 0; i < 4; i++) {
      const nextPage = i + 2;
      const asked = (r: Request) =>
        r.url().includes("orders.list") && decodeURIComponent(r.url()).includes(`"page":${nextPage}`);
      const early: Request[] = [];
      const listen = (r: Request) => {
        if (asked(r)) early.push(r);
      };
      page.on("request", listen);
      // Give a prefetch the time an analyst takes to read the page.
      await page.waitForTimeout(700);
      page.off("request", listen);
      if (early.length > 0) prefetched++;
      times.push(await timeToNewRows(() => page.getByRole("button", { name: "Next" }).click()));
    }
    report.push(
      `  next page, click to rows: ${fmt(times)}; asked for before the click: ${prefetched} of ${times.length}`,
    );
    expect(times).toHaveLength(4);
  });
});
