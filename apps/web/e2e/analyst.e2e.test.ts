// Issue #16 in Chromium against the real server on the local Lakebase: columns and density, the CSV export,
// saved views, the trend, the browser's locale, and native dialogs with the `?` shortcut list. Every feature
// leaves a screenshot in test-artifacts/ and passes axe without serious or critical violations.
import { mkdir, readFile } from "node:fs/promises";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANALYST, ARTIFACTS_DIR, axeViolations, type Stack, screenshotPath, startStack } from "./stack.ts";

const ROWS = 20_000;
let stack: Stack;
let page: Page;

beforeAll(async () => {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  // This file never creates a synced table nor watches a sync: the seed syncs at a quick pace.
  stack = await startStack(ROWS, { pipelineStepMs: 100 });
  page = await stack.context.newPage();
});

afterAll(async () => {
  await stack?.stop();
});

const rows = (p: Page = page) => p.locator("tr[data-order-key]");
const params = (p: Page = page) => Object.fromEntries(new URL(p.url()).searchParams);
const headerText = (p: Page = page) =>
  p
    .locator("thead th")
    .evaluateAll((ths) => ths.map((th) => (th.textContent ?? "").replace(/[▲▼↕]/g, "").trim()));

/** Ground truth from the server's own database: the overlaid status decides. */
async function countWhere(where: string): Promise<number> {
  const { rows: r } = await stack.server.services.db.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM public.orders_synced o
       LEFT JOIN app_data.order_status s ON s.order_key = o.o_orderkey WHERE ${where}`,
  );
  return r[0]?.n ?? -1;
}

describe("your columns", () => {
  it("hides, reorders (by keyboard) and densifies the columns, in the URL and remembered by the browser", async () => {
    await page.goto(stack.baseUrl);
    await rows().first().waitFor();
    const opener = page.getByRole("button", { name: "Columns…" });
    await opener.click();
    const dialog = page.getByRole("dialog", { name: "Columns and density" });
    await dialog.getByRole("checkbox", { name: "Clerk" }).uncheck();
    await page.waitForURL(/cols=/);
    // Total moves to the front with the keyboard alone: the focus stays on the moved column's button.
    await dialog.getByRole("button", { name: "Move Total up" }).focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press("Enter");
    await page.waitForURL(/cols=totalPrice%2CorderKey|cols=totalPrice,orderKey/);
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe(
      "Move Total down",
    );
    await dialog.getByRole("radio", { name: "Compact" }).check();
    await page.waitForURL(/density=compact/);
    expect(params()).toMatchObject({
      cols: "totalPrice,orderKey,custKey,status,orderDate,priority,shipPriority,comment",
      density: "compact",
    });
    await page.screenshot({ path: screenshotPath("analyst-columns-dialog") });
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    expect(await opener.evaluate((el) => el === document.activeElement)).toBe(true);

    const expected = ["Total", "Order", "Customer", "Status", "Date", "Priority", "Ship prio.", "Comment"];
    expect(await headerText()).toEqual(expected);
    expect(Math.round((await rows().first().boundingBox())?.height ?? 0)).toBe(28);
    // Each change is a step of the history: Back undoes the density (and stays undone), Forward redoes it.
    await page.goBack();
    await page.waitForURL((url) => !url.searchParams.has("density"));
    await page.waitForTimeout(300);
    expect(params().density).toBeUndefined();
    expect(Math.round((await rows().first().boundingBox())?.height ?? 0)).toBe(36);
    expect(await headerText()).toEqual(expected);
    // Back to before the first change: the remembered layout does not come back over it.
    for (let i = 0; i < 4; i++) await page.goBack();
    await page.waitForURL((url) => url.search === "");
    await page.waitForTimeout(300);
    expect(page.url()).toBe(`${stack.baseUrl}/`);
    expect(await headerText()).toHaveLength(9);
    for (let i = 0; i < 5; i++) await page.goForward();
    await page.waitForURL(/density=compact/);
    expect(await headerText()).toEqual(expected);
    await page.screenshot({ path: screenshotPath("analyst-columns-compact") });

    // A link reproduces the view; a visit without the layout in its URL gets the remembered one (into the URL).
    await page.reload();
    await rows().first().waitFor();
    expect(await headerText()).toEqual(expected);
    const fresh = await stack.context.newPage();
    await fresh.goto(`${stack.baseUrl}/?status=O`);
    await fresh.waitForURL(/density=compact/);
    await rows(fresh).first().waitFor();
    expect(await headerText(fresh)).toEqual(expected);
    expect(params(fresh).status).toBe("O");
    await fresh.close();

    await opener.click();
    await dialog.getByRole("button", { name: "Reset to default" }).click();
    await page.waitForURL((url) => !url.searchParams.has("cols") && !url.searchParams.has("density"));
    expect(await headerText()).toHaveLength(9);
    await page.keyboard.press("Escape");
    expect(await page.evaluate(() => localStorage.getItem("lakebase-orders:table"))).toBeNull();
  });
});

describe("export what you see", () => {
  it("streams the filtered, sorted table as CSV with progress, a file named after the filter, the visible columns", async () => {
    await page.goto(`${stack.baseUrl}/?status=F&sort=-totalPrice&cols=orderKey,totalPrice,status,comment`);
    await rows().first().waitFor();
    await page
      .getByText(/of [\d,]+ ·/)
      .first()
      .waitFor();
    // A slow link, so the progress shows while the rows arrive.
    const cdp = await stack.context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 20,
      downloadThroughput: 150 * 1024,
      uploadThroughput: 150 * 1024,
    });
    const exports: string[] = [];
    page.on("request", (request) => {
      if (request.url().includes("/api/export/")) exports.push(request.url());
    });
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Export CSV…" }).click();
    const dialog = page.getByRole("dialog", { name: "Export CSV" });
    const status = dialog.locator(".export-status");
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toMatch(/^[\d,]+ of [\d,]+ rows/);
    const progress = await dialog.getByRole("progressbar", { name: "Export progress" }).evaluate((el) => ({
      value: (el as HTMLProgressElement).value,
      max: (el as HTMLProgressElement).max,
    }));
    const total = await countWhere("COALESCE(s.status, o.o_orderstatus) = 'F'");
    expect(progress.max).toBe(total);
    expect(progress.value).toBeGreaterThan(0);
    expect(progress.value).toBeLessThan(total);
    await page.screenshot({ path: screenshotPath("analyst-export-progress") });
    expect(await axeViolations(page)).toEqual([]);
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });

    const file = await download;
    // One request: what the table shows, in its sort, with its columns.
    expect(exports).toEqual([
      `${stack.baseUrl}/api/export/orders.csv?status=F&sort=-totalPrice&columns=orderKey%2CtotalPrice%2Cstatus%2Ccomment`,
    ]);
    expect(file.suggestedFilename()).toBe("orders_status-F_by-totalPrice-desc.csv");
    await dialog.getByText(`Exported ${total.toLocaleString("en-US")} rows`).waitFor();
    await page.screenshot({ path: screenshotPath("analyst-export-done") });
    const text = await readFile((await file.path()) as string, "utf8");
    const lines = text.trimEnd().split("\n");
    // The screen's headers and labels (the API's names and codes are `format=api`, for machines).
    expect(lines[0]).toBe("Order,Total,Status,Comment");
    expect(lines).toHaveLength(total + 1);
    const totals = lines.slice(1).map((l) => Number(l.split(",")[1]));
    expect(totals).toEqual([...totals].sort((a, b) => b - a));
    expect(new Set(lines.slice(1).map((l) => l.split(",")[2]))).toEqual(new Set(["Fulfilled"]));
    // The first rows are the table's first rows.
    const shown = await rows().evaluateAll((trs) =>
      trs.slice(0, 5).map((tr) => tr.getAttribute("data-order-key")),
    );
    expect(lines.slice(1, 6).map((l) => l.split(",")[0])).toEqual(shown);
    await dialog.getByRole("button", { name: "Close", exact: true }).last().click();
    await dialog.waitFor({ state: "detached" });
    await cdp.detach();
  });
});

describe("saved views", () => {
  const name = "Urgent, newest first";

  it("names the current view, lists it, and opens it for another user by its link", async () => {
    await page.goto(
      `${stack.baseUrl}/?priority=1-URGENT&sort=-orderDate&cols=orderKey,orderDate,priority,totalPrice&density=compact`,
    );
    await rows().first().waitFor();
    await page.getByRole("button", { name: "Views…" }).click();
    const dialog = page.getByRole("dialog", { name: "Saved views" });
    await dialog.getByRole("textbox", { name: "Name of the current view" }).fill(name);
    await dialog.getByRole("button", { name: "Save view" }).click();
    const link = dialog.getByRole("link", { name: `Link to ${name}` });
    await link.waitFor();
    expect(await dialog.getByRole("list", { name: "Your views" }).getByRole("listitem").count()).toBe(1);
    expect(await dialog.getByRole("listitem").textContent()).toContain(
      "Urgent priority · sorted by Date ↓ (newest first) · 4 columns · compact",
    );
    await page.screenshot({ path: screenshotPath("analyst-views-dialog") });
    expect(await axeViolations(page)).toEqual([]);
    const href = (await link.getAttribute("href")) ?? "";
    expect(href).toMatch(/\/\?view=[A-Za-z0-9_-]{22}$/);
    await page.keyboard.press("Escape");

    // Opening it from the list applies it (Back undoes it).
    await page.goto(stack.baseUrl);
    await rows().first().waitFor();
    await page.getByRole("button", { name: "Views…" }).click();
    await dialog.getByRole("button", { name, exact: true }).click();
    await page.waitForURL(/priority=1-URGENT/);
    expect(await headerText()).toEqual(["Order", "Date", "Priority", "Total"]);

    const analyst = await stack.context.newPage();
    await analyst.setExtraHTTPHeaders({ "X-Forwarded-Email": ANALYST });
    await analyst.goto(href);
    await analyst
      .getByRole("status")
      // Another person's e-mail is for admins and that person only (issue 26): the analyst reads "another user".
      .filter({ hasText: `Opened the view “${name}”, shared by another user` })
      .waitFor();
    expect(params(analyst)).toEqual({
      priority: "1-URGENT",
      sort: "-orderDate",
      cols: "orderKey,orderDate,priority,totalPrice",
      density: "compact",
    });
    await rows(analyst).first().waitFor();
    expect(await headerText(analyst)).toEqual(["Order", "Date", "Priority", "Total"]);
    const priorities = await analyst.locator("tr[data-order-key] td.col-priority").allTextContents();
    expect(new Set(priorities)).toEqual(new Set(["Urgent"]));
    await analyst.screenshot({ path: screenshotPath("analyst-views-shared") });
    // Views are per user: the analyst's own list is empty.
    await analyst.getByRole("button", { name: "Views…" }).click();
    await analyst.getByText("No saved views yet.").waitFor();
    await analyst.keyboard.press("Escape");

    await analyst.goto(`${stack.baseUrl}/?view=AAAAAAAAAAAAAAAAAAAAAA`);
    await analyst.getByRole("status").filter({ hasText: "This view link could not be opened" }).waitFor();
    await analyst.waitForURL((url) => !url.searchParams.has("view"));
    await analyst.close();
  });
});

describe("the trend", () => {
  it("loads the chart as its own chunk, splits by status or priority, and a month filters the table", async () => {
    const chunks: string[] = [];
    page.on("request", (request) => {
      if (/\/assets\/TrendChart-[\w-]+\.js$/.test(request.url())) chunks.push(request.url());
    });
    await page.goto(`${stack.baseUrl}/?status=O`);
    await rows().first().waitFor();
    expect(chunks).toEqual([]);
    await page.getByRole("button", { name: "Trend" }).click();
    await page.waitForURL(/trend=status/);
    const months = page.locator(".trend-chart g[data-month]");
    await months.first().waitFor();
    expect(chunks).toHaveLength(1);
    expect(await months.count()).toBeGreaterThan(60);
    expect(await page.locator(".trend-legend").textContent()).toBe("FulfilledOpenPartial");

    await page.getByRole("button", { name: /^Mar 1995: / }).click();
    await page.waitForURL(/dateTo=1995-03-31/);
    expect(params()).toMatchObject({
      status: "O",
      dateFrom: "1995-03-01",
      dateTo: "1995-03-31",
      trend: "status",
    });
    await page.waitForFunction(() =>
      [...document.querySelectorAll("tr[data-order-key] time")].every((t) =>
        t.getAttribute("datetime")?.startsWith("1995-03"),
      ),
    );
    const march = page.getByRole("button", { name: /^Mar 1995: / });
    expect(await march.getAttribute("aria-pressed")).toBe("true");
    const figures = /^Mar 1995: ([\d,]+) orders/.exec((await march.getAttribute("aria-label")) ?? "");
    const expected = await countWhere(
      "o.o_orderdate BETWEEN '1995-03-01' AND '1995-03-31' AND COALESCE(s.status, o.o_orderstatus) = 'O'",
    );
    expect(Number(figures?.[1]?.replace(/,/g, ""))).toBe(expected);
    await page
      .getByText(`of ${expected.toLocaleString("en-US")}`)
      .first()
      .waitFor();

    // The keyboard: the selected month has the focus stop; the arrows move, Enter filters.
    await march.focus();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Enter");
    await page.waitForURL(/dateTo=1995-04-30/);

    await page.getByRole("radio", { name: "Priority" }).check();
    await page.waitForURL(/trend=priority/);
    await page.locator(".trend-legend").getByText("Low", { exact: true }).waitFor();
    await page.getByRole("radio", { name: "Revenue" }).check();
    await page.getByRole("heading", { name: "Revenue per month" }).waitFor();
    await page.screenshot({ path: screenshotPath("analyst-trend"), fullPage: true });
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Hide trend" }).click();
    await page.waitForURL((url) => !url.searchParams.has("trend"));
  });
});

describe("your locale", () => {
  let browser: Browser;
  afterAll(async () => {
    await browser?.close();
  });

  it("writes numbers, money (USD) and dates as the browser's locale does, hydrates without a mismatch, and sorts the same", async () => {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
    });
    const context = await browser.newContext({ locale: "de-DE", viewport: { width: 1400, height: 900 } });
    const german = await context.newPage();
    const warnings: string[] = [];
    german.on("console", (message) => {
      if (message.type() === "warning" || message.type() === "error") warnings.push(message.text());
    });
    // "/" is the prerendered page: React hydrates it, then formats in the browser's locale.
    await german.goto(stack.baseUrl);
    await rows(german).first().waitFor();
    await german
      .getByText(`of ${ROWS.toLocaleString("de-DE")} ·`)
      .first()
      .waitFor();
    const total = await german.locator("tr[data-order-key] td.col-totalPrice").first().textContent();
    expect(total).toMatch(/^\d{1,3}(\.\d{3})*,\d{2}\u00a0\$$/);
    const date = await german.locator("tr[data-order-key] td.col-orderDate").first().textContent();
    expect(date).toMatch(/^\d{2}\.\d{2}\.\d{4}$/);
    expect(await german.locator(".stat-total .stat-value").textContent()).toBe(ROWS.toLocaleString("de-DE"));
    expect(warnings.filter((w) => /hydrat/i.test(w))).toEqual([]);

    // Sorting and filtering do not depend on how the numbers are written.
    await german.getByRole("combobox", { name: "Sort" }).selectOption("-totalPrice");
    await german.waitForURL(/sort=-totalPrice/);
    await german.waitForFunction(() => document.querySelector("th[aria-sort='descending']") !== null);
    await german.waitForTimeout(300);
    const totals = (await german.locator("tr[data-order-key] td.col-totalPrice").allTextContents()).map((t) =>
      Number(t.replace(/[^\d,]/g, "").replace(",", ".")),
    );
    expect(totals.length).toBe(100);
    expect(totals).toEqual([...totals].sort((a, b) => b - a));
    await german.getByRole("button", { name: "Trend" }).click();
    await german.getByRole("button", { name: /^März 1995: / }).waitFor();
    await german.screenshot({ path: screenshotPath("analyst-locale-de"), fullPage: true });
    expect(await axeViolations(german)).toEqual([]);
    await context.close();
  });
});

describe("dialogs done right", () => {
  it("opens the shortcut list with ?, as a native modal: inert background, Tab inside, Esc closes, focus returns", async () => {
    await page.goto(stack.baseUrl);
    await rows().first().waitFor();
    // Typing ? in a field is text, not the shortcut.
    const orderKey = page.getByRole("spinbutton", { name: "Order key" });
    await orderKey.focus();
    await page.keyboard.press("?");
    expect(await page.getByRole("dialog").count()).toBe(0);

    const opener = page.getByRole("button", { name: "Views…" });
    await opener.focus();
    await page.keyboard.press("?");
    const dialog = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await dialog.waitFor();
    const facts = await page.evaluate(() => {
      const d = document.querySelector("dialog[open]") as HTMLDialogElement;
      const behind = document.querySelector(".table-toolbar button") as HTMLElement;
      const box = behind.getBoundingClientRect();
      const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
      return {
        tag: d.tagName,
        modal: d.matches(":modal"),
        focusInside: d.contains(document.activeElement),
        // The page behind is inert: a click there lands on the dialog's backdrop, not on the button.
        hitBehind: hit === behind,
      };
    });
    expect(facts).toEqual({ tag: "DIALOG", modal: true, focusInside: true, hitBehind: false });
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press("Tab");
      expect(
        await page.evaluate(() => document.querySelector("dialog[open]")?.contains(document.activeElement)),
      ).toBe(true);
    }
    await page.screenshot({ path: screenshotPath("analyst-shortcuts-dialog") });
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    expect(await opener.evaluate((el) => el === document.activeElement)).toBe(true);

    // The order panel is the same native dialog.
    await rows().first().click();
    const panel = page.getByRole("dialog", { name: /^Order \d+$/ });
    await panel.waitFor();
    expect(await panel.evaluate((el) => el.tagName === "DIALOG" && el.matches(":modal"))).toBe(true);
    await page.keyboard.press("Escape");
    await page.waitForURL((url) => !url.searchParams.has("order"));
  });
});
