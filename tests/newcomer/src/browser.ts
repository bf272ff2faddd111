import { type Browser, chromium } from "playwright-core";

// The machine's Chromium, kept off the network (it would try to reach Google's services otherwise).
const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: ARGS,
  });
}

/** Opens the page as a user would and waits for the orders table; returns how many rows it shows. */
export async function orderRowsShown(browser: Browser, url: string, timeoutMs = 60_000): Promise<number> {
  const page = await browser.newPage();
  try {
    await page.goto(url, { timeout: timeoutMs });
    const rows = page.locator("tr[data-order-key]");
    await rows.first().waitFor({ timeout: timeoutMs });
    return await rows.count();
  } finally {
    await page.close();
  }
}
