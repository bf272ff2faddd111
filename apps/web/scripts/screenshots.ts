// `pnpm --filter @lakebase-orders/web screenshots --url URL`: the orders page and the admin console at phone
// (412 px) and desktop (1,400 px) widths, saved in test-artifacts/, with each page's layout shift and
// whether it scrolls sideways (a check of #19 by eye and by number).
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import { CHROMIUM_FLAGS } from "../e2e/chromium-flags.ts";

const { values } = parseArgs({ options: { url: { type: "string" } } });
if (!values.url) throw new Error("--url is required (a running build, e.g. from perf/serve-cli.ts)");
const outDir = fileURLToPath(new URL("../test-artifacts", import.meta.url));
await mkdir(outDir, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROME_PATH ?? "/usr/bin/chromium",
  args: CHROMIUM_FLAGS,
});
try {
  for (const width of [412, 1400]) {
    const context = await browser.newContext({
      viewport: { width, height: width < 600 ? 823 : 900 },
      deviceScaleFactor: 1,
      isMobile: width < 600,
      hasTouch: width < 600,
    });
    for (const [name, route] of [
      ["orders", "/"],
      ["admin", "/admin"],
    ] as const) {
      const page = await context.newPage();
      await page.addInitScript(() => {
        const w = window as unknown as { __cls: number };
        w.__cls = 0;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries() as unknown as { value: number; hadRecentInput: boolean }[]) {
            if (!entry.hadRecentInput) w.__cls += entry.value;
          }
        }).observe({ type: "layout-shift", buffered: true });
      });
      await page.goto(new URL(route, values.url).href);
      if (route === "/") await page.locator("tr[data-order-key]").first().waitFor();
      else await page.locator(".cards, [role=alert]").first().waitFor();
      await page.waitForTimeout(800);
      const facts = await page.evaluate(() => ({
        cls: (window as unknown as { __cls: number }).__cls,
        scrollWidth: document.documentElement.scrollWidth,
        headerHeight: document.querySelector(".app-header")?.getBoundingClientRect().height ?? 0,
        firstRowTop: document.querySelector("tr[data-order-key]")?.getBoundingClientRect().top ?? null,
      }));
      const file = path.join(outDir, `${name}-${width}.png`);
      await page.screenshot({ path: file });
      console.log(
        `${file}: CLS ${facts.cls.toFixed(4)}, page width ${facts.scrollWidth} px (viewport ${width}), header ${facts.headerHeight} px${facts.firstRowTop === null ? "" : `, first row at ${Math.round(facts.firstRowTop)} px`}`,
      );
      await page.close();
    }
    await context.close();
  }
} finally {
  await browser.close();
}
