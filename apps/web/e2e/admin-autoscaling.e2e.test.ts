// The admin console on Lakebase Autoscaling (issue 24 item 4), in Chromium against the real server bound to
// the local Lakebase's seeded project (LAKEBASE_PROJECT_ID): the project with its production branch and
// primary endpoint, a branch created with a TTL and followed to done, a read-only endpoint added to it, and
// the branch deleted after its id is typed. Each key state is photographed at a laptop's and a phone's width
// (into test-artifacts/), and the phone's page must not be wider than the phone.
import { mkdir } from "node:fs/promises";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS_DIR, axeViolations, NAMES, type Stack, screenshotPath, startStack } from "./stack.ts";

const ROWS = 2_000;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

let stack: Stack;
let page: Page;

beforeAll(async () => {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  stack = await startStack(ROWS, { autoscaling: true });
  page = await stack.context.newPage();
  await page.setViewportSize(DESKTOP);
});

afterAll(async () => {
  await stack?.stop();
});

/** The text as people read it, with line breaks between blocks (the DOM's text runs labels into values). */
// biome-ignore lint/performance/useDomNodeTextContent: the text as rendered
const rendered = (locator: Locator) => locator.innerText();
const branchCard = (id: string) => page.locator(`section[data-branch="${id}"]`);

/** Both widths of the console as it is now: full-page shots, and the phone's page no wider than the phone. */
async function photograph(state: string) {
  await page.screenshot({ path: screenshotPath(`admin-as-${state}-${DESKTOP.width}`), fullPage: true });
  await page.setViewportSize(PHONE);
  try {
    await page.screenshot({ path: screenshotPath(`admin-as-${state}-${PHONE.width}`), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  } finally {
    await page.setViewportSize(DESKTOP);
  }
}

/**
 * Every outcome the progress card showed for an operation of this kind, in order (an observer in the page,
 * so a state shown between two of the test's looks is not missed).
 */
async function recordOutcomes(kind: string) {
  await page.evaluate((label) => {
    const w = window as unknown as { outcomes: string[] };
    w.outcomes = [];
    const look = () => {
      const line = document.querySelector(".progress-view .operation-line");
      const outcome = line?.getAttribute("data-outcome");
      if (line?.textContent?.includes(label) && outcome && w.outcomes.at(-1) !== outcome)
        w.outcomes.push(outcome);
    };
    new MutationObserver(look).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      characterData: true,
    });
  }, kind);
  return async () => {
    await page
      .locator(".progress-view .operation-line[data-outcome='succeeded']", { hasText: kind })
      .waitFor();
    return page.evaluate(() => (window as unknown as { outcomes: string[] }).outcomes);
  };
}

describe("admin console, Lakebase Autoscaling", () => {
  it("shows the project, its production branch and primary endpoint, and the app's data", async () => {
    await page.goto(`${stack.baseUrl}/admin`);
    await page.getByRole("heading", { name: `Project ${NAMES.instance}` }).waitFor();
    expect(await rendered(page.locator(".as-flavour"))).toContain("Autoscaling");
    const production = branchCard("production");
    expect(await rendered(production.locator("h3"))).toMatch(/production.*Ready.*production.*the app's/s);
    const primary = production.locator('[data-endpoint="primary"]');
    expect(await rendered(primary)).toMatch(/Read-write[\s\S]*the app's[\s\S]*(Running|Asleep)/);
    expect(await rendered(primary)).toMatch(/Compute [\d.]+(–[\d.]+)? CU/);
    expect(await rendered(production)).toContain(NAMES.syncedTable);
    expect(await rendered(production)).toMatch(/Orders\s+Readable\./);
    // What cannot be done says why: the app's branch stays, a read-write endpoint goes with its branch only.
    expect(await production.getByRole("button", { name: "Delete branch production" }).isDisabled()).toBe(
      true,
    );
    expect(await rendered(production.locator(".as-branch-why"))).toContain("The app is bound to this branch");
    expect(await primary.getByRole("button", { name: "Delete endpoint primary" }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await photograph("project");
  });

  it("creates a branch with a TTL and shows its progress to done", async () => {
    await page.getByRole("button", { name: "New branch…" }).click();
    const dialog = page.getByRole("dialog", { name: "New branch" });
    await dialog.getByRole("textbox", { name: "Branch id" }).fill("Dev");
    expect(await dialog.getByText("Lowercase letters, digits and hyphens").isVisible()).toBe(true);
    expect(await dialog.getByRole("button", { name: "Create branch" }).isDisabled()).toBe(true);
    await dialog.getByRole("textbox", { name: "Branch id" }).fill("dev");
    expect(await dialog.getByRole("combobox", { name: "Parent" }).inputValue()).toBe("production");
    await dialog.getByRole("radio", { name: /A past time \(within the last 7 days\)/ }).check();
    await dialog.getByLabel("Time (your time zone)").waitFor();
    await photograph("new-branch");
    await dialog.getByRole("radio", { name: /Now/ }).check();
    await dialog.getByRole("combobox", { name: "Lifetime" }).selectOption({ label: "4 h" });
    const outcomes = await recordOutcomes("Branch creation");
    await dialog.getByRole("button", { name: "Create branch" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByText("Your request — Branch creation of dev: accepted").waitFor();
    await page.screenshot({ path: screenshotPath(`admin-as-creating-${DESKTOP.width}`) });
    expect(await outcomes()).toEqual(["running", "succeeded"]);
    const dev = branchCard("dev");
    await dev.getByText("Ready").first().waitFor();
    expect(await rendered(dev)).toMatch(/Created from\s+production at its head when created/);
    expect(await rendered(dev)).toMatch(/Expires in (4 h|3 h 59 min) \(/);
    // Its own read-write endpoint, listed through lakebase.endpoints.list.
    await dev.locator('[data-endpoint="primary"]').waitFor();
  });

  it("adds a read-only endpoint to the branch", async () => {
    const dev = branchCard("dev");
    await dev.getByRole("button", { name: "Add read-only endpoint…" }).click();
    const dialog = page.getByRole("dialog", { name: "New read-only endpoint on dev" });
    await dialog.getByRole("textbox", { name: "Endpoint id" }).fill("reader");
    await dialog.getByRole("spinbutton", { name: "Max CU" }).fill("32");
    expect(await dialog.getByText("Max CU may be at most 16 above min CU.").isVisible()).toBe(true);
    await dialog.getByRole("spinbutton", { name: "Max CU" }).fill("1");
    await dialog.getByRole("combobox", { name: "Scale to zero" }).selectOption({ label: "After 1 min idle" });
    const outcomes = await recordOutcomes("Endpoint creation");
    await dialog.getByRole("button", { name: "Add endpoint" }).click();
    await dialog.waitFor({ state: "detached" });
    expect(await outcomes()).toContain("succeeded");
    const reader = dev.locator('[data-endpoint="reader"]');
    await reader.waitFor();
    expect(await rendered(reader)).toMatch(
      /Read-only[\s\S]*(Running|Asleep)[\s\S]*Compute 0\.5–1 CU · Scale to zero: after 1 min idle/,
    );
    await photograph("branch");
  });

  it("deletes the branch once its id is typed", async () => {
    const dev = branchCard("dev");
    await dev.getByRole("button", { name: "Delete branch dev" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete branch dev" });
    const confirm = dialog.getByRole("button", { name: "Delete branch" });
    await dialog.getByRole("textbox", { name: /Type the branch id dev to confirm/ }).fill("de");
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByRole("textbox", { name: /Type the branch id dev to confirm/ }).fill("dev");
    const outcomes = await recordOutcomes("Branch deletion");
    await confirm.click();
    await dialog.waitFor({ state: "detached" });
    expect(await outcomes()).toContain("succeeded");
    await dev.waitFor({ state: "detached" });
    expect(
      await page
        .locator("section[data-branch]")
        .evaluateAll((s) => s.map((e) => e.getAttribute("data-branch"))),
    ).toEqual(["production"]);
    await photograph("deleted");
  });
});
