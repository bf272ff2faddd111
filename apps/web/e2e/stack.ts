import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type RunningServer, startServer } from "@lakebase-orders/api";
import { loadConfig } from "@lakebase-orders/config";
import { type LakebaseLocal, startLakebaseLocal } from "@lakebase-orders/lakebase-local";
import { createLogger } from "@lakebase-orders/log";
import type { AxeResults } from "axe-core";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { inject } from "vitest";
import { CHROMIUM_FLAGS } from "./chromium-flags.ts";
import { lakebaseEnv, namesFor, seedOf } from "./local-lakebase.ts";

export const WEB_DIR = fileURLToPath(new URL("..", import.meta.url));
export const ARTIFACTS_DIR = path.join(WEB_DIR, "test-artifacts");
export const ADMIN = "local-admin@example.com";
export const ANALYST = "analyst@example.com";
export const NAMES = namesFor("orders-e2e");

export interface Stack {
  lakebase: LakebaseLocal;
  server: RunningServer;
  context: BrowserContext;
  baseUrl: string;
  /** What Chromium reported refusing under the app's Content-Security-Policy, on every page so far. */
  cspViolations: string[];
  stop(): Promise<void>;
}

export interface StackOptions {
  /**
   * Bind the app to the seeded Autoscaling project (LAKEBASE_PROJECT_ID) rather than to it as an instance
   * (LAKEBASE_INSTANCE_NAME): the admin console is then the Autoscaling one.
   */
  autoscaling?: boolean;
  /**
   * Milliseconds per step of the local Lakebase's pipelines. Default 1500: slow enough that an analyst's page
   * can be seen waiting on the sync while the admin creates. The seed's own sync takes about seven steps
   * (10 s of the file's set-up at the default), so a file that never creates or watches a sync passes a
   * short one.
   */
  pipelineStepMs?: number;
}

/**
 * The real stack: the local Lakebase seeded with TPC-H orders, the API on a free port serving the built
 * SPA (built once per run by build-once.ts), and Chromium with a fresh profile. `stop()` tears everything
 * down, in reverse order.
 */
export async function startStack(rows: number, options: StackOptions = {}): Promise<Stack> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const staticDir = inject("spaDir");

    // Chromium starts while the local Lakebase seeds (neither needs the other); closed first, as before.
    const browser = launchBrowser();
    browser.catch(() => undefined); // awaited below; a failure must not surface as unhandled meanwhile
    // Until it is awaited below, a failed set-up closes it here (once awaited, it is in `cleanups`).
    cleanups.push(() => browser.then(closeBrowser));

    const lakebase = await startLakebaseLocal({
      identity: ADMIN,
      sourceRows: rows,
      timings: {
        instanceStartMs: 1500,
        instanceDeleteMs: 300,
        pipelineStepMs: options.pipelineStepMs ?? 1500,
      },
      seed: seedOf(NAMES, rows),
    });
    cleanups.push(() => lakebase.stop());

    const server = await startServer(
      loadConfig({
        STATIC_DIR: staticDir,
        ...lakebaseEnv(lakebase, NAMES, options),
        APP_ADMINS: ADMIN,
        LOCAL_IDENTITY: ADMIN,
        // The analyst's page names itself in X-Forwarded-Email, as behind the Apps proxy.
        TRUST_FORWARDED_HEADERS: "true",
        LOG_LEVEL: "error",
      }),
      { port: 0, host: "127.0.0.1", logger: createLogger({ level: "error" }) },
    );
    cleanups.push(() => server.close());

    const launched = await browser;
    cleanups.shift();
    cleanups.push(() => closeBrowser(launched));
    const { context } = launched;
    // The app trusts X-Forwarded-Email (as behind the Apps proxy), so a page without one is anonymous: every
    // page is the admin unless it names someone else (the analyst's pages set their own).
    await context.setExtraHTTPHeaders({ "X-Forwarded-Email": ADMIN });
    const cspViolations: string[] = [];
    context.on("page", (p) =>
      p.on("console", (m) => {
        if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
      }),
    );

    return {
      lakebase,
      server,
      context,
      baseUrl: server.url.replace("0.0.0.0", "127.0.0.1"),
      cspViolations,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Chromium with a fresh profile (removed if the launch fails). */
async function launchBrowser(): Promise<{ context: BrowserContext; profileDir: string }> {
  const profileDir = await mkdtemp(path.join(tmpdir(), "web-e2e-chromium-"));
  try {
    const context = await chromium.launchPersistentContext(profileDir, {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1400, height: 900 },
    });
    return { context, profileDir };
  } catch (error) {
    await rm(profileDir, { recursive: true, force: true });
    throw error;
  }
}

async function closeBrowser({ context, profileDir }: { context: BrowserContext; profileDir: string }) {
  await context.close().catch(() => undefined);
  await rm(profileDir, { recursive: true, force: true });
}

const require = createRequire(import.meta.url);

/** Runs axe-core in the page; returns the serious and critical violations (ids and a sample target). */
export async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated, not added as a <script>: the app's Content-Security-Policy refuses inline scripts.
  await page.evaluate(await readFile(require.resolve("axe-core"), "utf8"));
  const results = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document) => Promise<AxeResults> } }).axe;
    return axe.run(document);
  });
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .map((n) => n.target.join(" "))
          .slice(0, 3)
          .join(", ")}`,
    );
}

export function screenshotPath(name: string): string {
  return path.join(ARTIFACTS_DIR, `${name}.png`);
}
