// Issue #29 item 1 in Chromium against the real server on the local Lakebase: an admin operation that is
// running, one that succeeded and one that failed look different (the word, a sign, and the colour, each
// readable: 4.5:1 at least), and the progress card names the current operation as current, never the last one.
import { mkdir } from "node:fs/promises";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS_DIR, axeViolations, NAMES, type Stack, screenshotPath, startStack } from "./stack.ts";

let stack: Stack;
let page: Page;

beforeAll(async () => {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  stack = await startStack(2_000);
  page = await stack.context.newPage();
  await page.setViewportSize({ width: 1366, height: 800 });
});

afterAll(async () => {
  await stack?.stop();
});

interface Look {
  badge: string;
  background: string;
  color: string;
  line: string;
}

/** The progress card's operation line and its outcome badge as drawn (computed colours). */
async function look(outcome: "running" | "succeeded" | "failed"): Promise<Look> {
  const line = page.locator(`.operation-line[data-outcome="${outcome}"]`);
  await line.waitFor({ timeout: 90_000 });
  const badge = line.locator(".operation-outcome");
  const [background, color] = await badge.evaluate((el) => {
    const style = getComputedStyle(el);
    return [style.backgroundColor, style.color];
  });
  return {
    badge: (await badge.textContent()) ?? "",
    background: background ?? "",
    color: color ?? "",
    line: (await line.textContent()) ?? "",
  };
}

/** WCAG contrast ratio of two `rgb(...)` colours. */
function contrast(a: string, b: string): number {
  const luminance = (rgb: string) => {
    const [r, g, bl] = (rgb.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((c) => {
      const v = Number(c) / 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (bl ?? 0);
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return ((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05);
}

describe("admin operation outcomes", () => {
  it("running, succeeded and failed look different, and the card shows the current operation", async () => {
    await page.goto(`${stack.baseUrl}/admin`);
    await page.getByRole("heading", { name: /^Instance/ }).waitFor();

    // Failed: Databricks refuses the stop (one 503 on the PATCH).
    stack.lakebase.faults.failNext({ method: "PATCH", path: "/api/2.0/database/instances/*" }, 503, 1);
    await page.getByRole("button", { name: "Stop instance" }).click();
    const dialog = page.getByRole("dialog", { name: "Stop the instance?" });
    await dialog.getByRole("button", { name: "Stop instance" }).click();
    await dialog.getByRole("alert").waitFor();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    const failed = await look("failed");
    expect(failed.line).toMatch(/^Last operation: Stop by .+ — ✕ Failed/);
    await page.screenshot({ path: screenshotPath("admin-outcome-failed"), fullPage: true });

    // Running: a create, followed to its end (delete first: the stack starts with everything there).
    await page.getByRole("button", { name: "Delete…" }).click();
    const del = page.getByRole("dialog", { name: "Delete Lakebase resources" });
    await del.getByRole("textbox").fill(NAMES.instance);
    await del.getByRole("button", { name: "Delete everything" }).click();
    await del.getByRole("button", { name: "Done" }).waitFor({ timeout: 60_000 });
    await del.getByRole("button", { name: "Done" }).click();
    await page.getByRole("checkbox", { name: /billed for every hour/ }).check();
    await page.getByRole("button", { name: "Create resources" }).click();
    const running = await look("running");
    expect(running.line).toMatch(/^Current operation: Create by .+ — … In progress /);
    // Nothing else may start meanwhile, and the console says why next to the buttons.
    const deleteButton = page.getByRole("button", { name: "Delete…" });
    expect(await deleteButton.isDisabled()).toBe(true);
    const why = await page.locator(`#${await deleteButton.getAttribute("aria-describedby")}`).textContent();
    expect(why).toMatch(
      /^A create is in progress \(.+\): the actions are available again once it has finished\.$/,
    );
    await page.screenshot({ path: screenshotPath("admin-outcome-running"), fullPage: true });
    expect(await axeViolations(page)).toEqual([]);

    const succeeded = await look("succeeded");
    expect(succeeded.line).toMatch(/^Last operation: Create by .+ — ✓ Succeeded/);
    await page.getByText("The synced table is online: orders are readable.").waitFor();
    await page.screenshot({ path: screenshotPath("admin-outcome-succeeded"), fullPage: true });
    expect(await axeViolations(page)).toEqual([]);

    // Three words, three signs, three colours; each readable.
    expect([running, succeeded, failed].map((l) => l.badge)).toEqual([
      "… In progress",
      "✓ Succeeded",
      "✕ Failed",
    ]);
    expect(new Set([running, succeeded, failed].map((l) => l.background)).size).toBe(3);
    expect(new Set([running, succeeded, failed].map((l) => l.color)).size).toBe(3);
    for (const l of [running, succeeded, failed])
      expect(contrast(l.color, l.background)).toBeGreaterThan(4.5);
  });
});
