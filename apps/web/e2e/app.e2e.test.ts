import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ANALYST,
  ARTIFACTS_DIR,
  axeViolations,
  NAMES,
  type Stack,
  screenshotPath,
  startStack,
} from "./stack.ts";

const ROWS = 20_000;
// The README's screenshots come from these runs. They hold times ("synced 3 min ago"), so every run would
// change them: a run writes them only when asked (UPDATE_SCREENSHOTS=1), else into test-artifacts/. Each is
// the top of the page, so each PNG stays far below 200 KB.
const README_SHOTS = process.env.UPDATE_SCREENSHOTS
  ? fileURLToPath(new URL("../../../docs/screenshots/", import.meta.url))
  : fileURLToPath(new URL("../test-artifacts/readme-", import.meta.url));
const readmeShot = (page: Page, name: string, height: number) =>
  page.screenshot({ path: `${README_SHOTS}${name}.png`, clip: { x: 0, y: 0, width: 1400, height } });
let stack: Stack;
let page: Page;

beforeAll(async () => {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  stack = await startStack(ROWS);
  page = await stack.context.newPage();
});

afterAll(async () => {
  await stack?.stop();
});

const rows = () => page.locator("tr[data-order-key]");
const orderKeys = () =>
  rows().evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute("data-order-key"))));
const params = () => Object.fromEntries(new URL(page.url()).searchParams);

describe("orders browser", () => {
  it("opens the app and shows the first page of orders, with stats and no serious a11y violations", async () => {
    await page.goto(stack.baseUrl);
    await rows().first().waitFor();
    expect(await rows().count()).toBe(100);
    await page
      .getByText(`of ${ROWS.toLocaleString("en-US")}`)
      .first()
      .waitFor();
    await page.locator(".stats svg.chart").waitFor();
    await page.screenshot({ path: screenshotPath("orders-pages"), fullPage: true });
    await readmeShot(page, "orders", 548);
    expect(await axeViolations(page)).toEqual([]);
  });

  it("pages forward and back, the page in the URL", async () => {
    const first = await orderKeys();
    await page.getByRole("button", { name: "Next" }).click();
    await page.waitForURL(/page=2/);
    await page.waitForFunction(
      (key) => document.querySelector("tr[data-order-key]")?.getAttribute("data-order-key") !== key,
      String(first[0]),
    );
    const second = await orderKeys();
    expect(second).toHaveLength(100);
    expect(Math.min(...second)).toBeGreaterThan(Math.max(...first));
    await page.getByRole("button", { name: "Previous" }).click();
    await page.waitForFunction(
      (key) => document.querySelector("tr[data-order-key]")?.getAttribute("data-order-key") === key,
      String(first[0]),
    );
    expect(await orderKeys()).toEqual(first);
    expect(params().page).toBeUndefined();
  });

  it("switches to infinite scroll and scrolls 2,000 rows", async () => {
    await page.getByRole("radio", { name: "Infinite scroll" }).check();
    await page.waitForURL(/mode=scroll/);
    const scroller = page.locator(".table-scroll");
    await rows().first().waitFor();
    let last = 0;
    for (let i = 0; i < 200 && last < 2000; i++) {
      await scroller.evaluate((el) => el.scrollBy(0, 1500));
      await page.waitForTimeout(30);
      last = Math.max(
        last,
        ...(await rows().evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute("data-index"))))),
      );
    }
    expect(last).toBeGreaterThanOrEqual(2000);
    // Virtualized: only a window of rows is in the DOM however far the user scrolled.
    expect(await rows().count()).toBeLessThan(200);
    const keys = await orderKeys();
    expect([...keys].sort((a, b) => a - b)).toEqual(keys);
    await page.screenshot({ path: screenshotPath("orders-infinite-scroll") });
  });

  it("filters by status and keeps the filter in the URL across a reload", async () => {
    await page.getByRole("radio", { name: "Pages" }).check();
    await page.getByRole("combobox", { name: "Status" }).selectOption("F");
    await page.waitForURL(/status=F/);
    await page.waitForFunction(() =>
      [...document.querySelectorAll("tr[data-order-key] .badge")].every((b) => b.textContent === "Fulfilled"),
    );
    await page.reload();
    await rows().first().waitFor();
    expect(await page.getByRole("combobox", { name: "Status" }).inputValue()).toBe("F");
    const badges = await page.locator("tr[data-order-key] .badge").allTextContents();
    expect(badges.length).toBeGreaterThan(0);
    expect(new Set(badges)).toEqual(new Set(["Fulfilled"]));
    await page.getByRole("button", { name: "Clear filters" }).click();
    await page.waitForURL((url) => !url.searchParams.has("status"));
  });

  it("sorts by total, descending then ascending", async () => {
    const totals = () =>
      page
        .locator("tr[data-order-key] td.col-totalPrice")
        .allTextContents()
        .then((texts) => texts.map((t) => Number(t.replace(/[$,]/g, ""))));
    await page.getByRole("combobox", { name: "Sort" }).selectOption("-totalPrice");
    await page.waitForURL(/sort=-totalPrice/);
    await page.waitForFunction(() => document.querySelector("th[aria-sort='descending']") !== null);
    await page.waitForTimeout(300);
    const desc = await totals();
    expect(desc).toEqual([...desc].sort((a, b) => b - a));
    await page.getByRole("button", { name: /^Total/ }).click();
    await page.waitForURL(/sort=totalPrice/);
    await page.waitForFunction(() => document.querySelector("th[aria-sort='ascending']") !== null);
    await page.waitForTimeout(300);
    const asc = await totals();
    expect(asc).toEqual([...asc].sort((a, b) => a - b));
    expect(asc[0]).toBeLessThan(desc[0]!);
  });

  it("opens an order with the keyboard, changes its status, and the change persists after reload", async () => {
    await page.goto(stack.baseUrl);
    await rows().first().waitFor();
    await rows().first().focus();
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    const key = await page.evaluate(() => document.activeElement?.getAttribute("data-order-key"));
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: `Order ${key}` });
    await dialog.waitFor();
    expect(params().order).toBe(key);
    const current = await dialog.locator(".detail-fields .badge").textContent();
    const target = current === "Open" ? "F" : "O";
    const targetLabel = target === "F" ? "Fulfilled" : "Open";
    await dialog.getByRole("combobox", { name: "New status" }).selectOption(target);
    await dialog.getByRole("button", { name: "Change status" }).click();
    await dialog.locator(".history-list li").first().waitFor();
    // The browser keeps the change's write position for the API (read-your-writes in any instance), out of
    // scripts' reach.
    const position = (await stack.context.cookies(`${stack.baseUrl}/api/trpc`)).find(
      (c) => c.name === "orders_write_position",
    );
    expect(position).toMatchObject({ path: "/api", httpOnly: true });
    expect(position?.value).toMatch(/^[0-9]+@[0-9A-F]+\/[0-9A-F]+$/);
    await page.screenshot({ path: screenshotPath("order-detail") });
    expect(await axeViolations(page)).toEqual([]);

    await page.reload();
    const reloaded = page.getByRole("dialog", { name: `Order ${key}` });
    await reloaded.locator(".history-list li").first().waitFor();
    expect(await reloaded.locator(".detail-fields .badge").textContent()).toBe(targetLabel);
    expect(await reloaded.locator(".history-list li").first().textContent()).toContain(targetLabel);
    await page.keyboard.press("Escape");
    await page.waitForURL((url) => !url.searchParams.has("order"));
    expect(await page.locator(`tr[data-order-key="${key}"] .badge`).textContent()).toBe(targetLabel);
  });
});

describe("admin console", () => {
  it("is hidden from and refused to a non-admin", async () => {
    const analyst = await stack.context.newPage();
    await analyst.setExtraHTTPHeaders({ "X-Forwarded-Email": ANALYST });
    await analyst.goto(stack.baseUrl);
    await analyst.locator("tr[data-order-key]").first().waitFor();
    expect(await analyst.getByRole("link", { name: "Admin" }).count()).toBe(0);
    await analyst.goto(`${stack.baseUrl}/admin`);
    await analyst.getByText("only the admins listed in APP_ADMINS").waitFor();
    expect(await analyst.getByRole("button", { name: /Delete/ }).count()).toBe(0);
    await analyst.screenshot({ path: screenshotPath("admin-denied") });
    await analyst.close();
  });

  it("deletes with type-to-confirm, then creates with cost acknowledgement and follows progress to ONLINE", async () => {
    await page.goto(stack.baseUrl);
    await page.getByRole("link", { name: "Admin" }).click();
    await page.getByRole("heading", { name: "Lakebase resources" }).waitFor();
    await page.screenshot({ path: screenshotPath("admin-status"), fullPage: true });
    await readmeShot(page, "admin", 390);
    expect(await axeViolations(page)).toEqual([]);

    await page.getByRole("button", { name: "Delete…" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete Lakebase resources" });
    const confirm = dialog.getByRole("button", { name: "Delete everything" });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByRole("textbox").fill(NAMES.instance);
    expect(await confirm.isDisabled()).toBe(false);
    await page.screenshot({ path: screenshotPath("admin-delete-dialog") });
    await confirm.click();
    // The delete answers once every step has an outcome (each waits for the resource to be gone).
    await dialog.getByRole("button", { name: "Done" }).waitFor({ timeout: 60_000 });
    const outcomes = await dialog.locator("ol.steps li").allTextContents();
    expect(outcomes).toHaveLength(3);
    for (const outcome of outcomes) expect(outcome).toMatch(/Deleted|Already gone/);
    await page.screenshot({ path: screenshotPath("admin-delete-outcomes") });
    await dialog.getByRole("button", { name: "Done" }).click();

    const create = page.getByRole("button", { name: "Create resources" });
    await create.waitFor();
    expect(await create.isDisabled()).toBe(true);
    await page.getByRole("checkbox", { name: /billed for every hour/ }).check();
    await create.click();
    await page.getByRole("heading", { name: "Create accepted" }).waitFor();
    await page.locator(".progress-view").waitFor();
    await page.screenshot({ path: screenshotPath("admin-create-progress"), fullPage: true });

    // Meanwhile an analyst opening the orders sees the sync's progress, not an error, and the table
    // appears on its own once the data is online (no reload).
    const analyst = await stack.context.newPage();
    await analyst.goto(stack.baseUrl);
    const waiting = analyst.getByRole("status").filter({ hasText: "Data is still syncing" });
    await waiting.waitFor({ timeout: 10_000 });
    expect(await analyst.getByRole("alert").count()).toBe(0);
    await analyst.screenshot({ path: screenshotPath("orders-syncing"), fullPage: true });

    await page.getByText("The synced table is online").waitFor({ timeout: 90_000 });
    await page.screenshot({ path: screenshotPath("admin-online"), fullPage: true });
    await analyst.locator("tr[data-order-key]").first().waitFor({ timeout: 30_000 });
    expect(await waiting.count()).toBe(0);
    await analyst.close();

    await page.getByRole("link", { name: "Orders" }).click();
    await rows().first().waitFor({ timeout: 30_000 });
  });
});

describe("browser hardening", () => {
  it("loaded nothing the Content-Security-Policy refuses, on any page above", async () => {
    const seen = [...stack.cspViolations];
    const res = await page.request.get(stack.baseUrl);
    expect(res.headers()["content-security-policy"]).toContain("script-src 'self'");
    expect(res.headers()["x-content-type-options"]).toBe("nosniff");
    // The watch works: an inline script, which the policy forbids, is reported.
    await page.evaluate(() => {
      const script = document.createElement("script");
      script.textContent = "window.__inline = true";
      document.body.append(script);
    });
    await expect.poll(() => stack.cspViolations.length).toBeGreaterThan(seen.length);
    expect(seen).toEqual([]);
  });
});
