// Lighthouse against a running build: every page under every preset, N runs each, medians, and the targets of
// issue #19. The Debian Chromium is launched by chrome-launcher with the flags that keep it off the network.
import * as chromeLauncher from "chrome-launcher";
import lighthouse, { desktopConfig, type Flags } from "lighthouse";
import { CHROMIUM_FLAGS } from "../e2e/chromium-flags.ts";

export type Preset = "mobile" | "desktop";

export interface Scores {
  performance: number;
  accessibility: number;
  bestPractices: number;
  seo: number;
  /** Milliseconds. */
  lcp: number;
  /** Milliseconds. */
  fcp: number;
  /** Milliseconds. */
  tbt: number;
  cls: number;
}

export interface PageResult {
  page: string;
  preset: Preset;
  runs: Scores[];
  median: Scores;
}

export interface LighthouseOptions {
  baseUrl: string;
  pages: readonly string[];
  presets: readonly Preset[];
  runs: number;
  chromePath?: string;
  /** Called after each run (progress on stderr). */
  onRun?: (page: string, preset: Preset, run: number, scores: Scores) => void;
}

const CHROME_FLAGS = ["--headless=new", ...CHROMIUM_FLAGS];

const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"];

function percent(score: number | null | undefined): number {
  return Math.round((score ?? 0) * 100);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function medianScores(runs: Scores[]): Scores {
  const keys = Object.keys(runs[0] ?? {}) as (keyof Scores)[];
  return Object.fromEntries(
    keys.map((key) => [key, median(runs.map((run) => run[key]))]),
  ) as unknown as Scores;
}

/** Runs Lighthouse on every page and preset, one Chromium for all, and returns the runs and their medians. */
export async function runLighthouse(options: LighthouseOptions): Promise<PageResult[]> {
  const chrome = await chromeLauncher.launch({
    chromePath: options.chromePath ?? process.env.CHROME_PATH ?? "/usr/bin/chromium",
    chromeFlags: CHROME_FLAGS,
    logLevel: "silent",
  });
  try {
    const results: PageResult[] = [];
    for (const page of options.pages) {
      for (const preset of options.presets) {
        const runs: Scores[] = [];
        for (let run = 1; run <= options.runs; run++) {
          const scores = await auditOnce(new URL(page, options.baseUrl).href, preset, chrome.port);
          runs.push(scores);
          options.onRun?.(page, preset, run, scores);
        }
        results.push({ page, preset, runs, median: medianScores(runs) });
      }
    }
    return results;
  } finally {
    chrome.kill();
  }
}

async function auditOnce(url: string, preset: Preset, port: number): Promise<Scores> {
  const flags: Flags = { port, output: "json", logLevel: "error", onlyCategories: CATEGORIES };
  const result = await lighthouse(url, flags, preset === "desktop" ? desktopConfig : undefined);
  if (!result) throw new Error(`Lighthouse returned nothing for ${url}`);
  const { categories, audits, runtimeError } = result.lhr;
  if (runtimeError)
    throw new Error(`Lighthouse failed on ${url}: ${runtimeError.code} ${runtimeError.message}`);
  const metric = (id: string) => audits[id]?.numericValue ?? Number.NaN;
  return {
    performance: percent(categories.performance?.score),
    accessibility: percent(categories.accessibility?.score),
    bestPractices: percent(categories["best-practices"]?.score),
    seo: percent(categories.seo?.score),
    lcp: metric("largest-contentful-paint"),
    fcp: metric("first-contentful-paint"),
    tbt: metric("total-blocking-time"),
    cls: metric("cumulative-layout-shift"),
  };
}

/** The targets of issue #19 (simulated throttling, medians). */
export function targetFailures(result: PageResult): string[] {
  const m = result.median;
  const mobile = result.preset === "mobile";
  const checks: [boolean, string][] = [
    [m.performance >= (mobile ? 90 : 98), `performance ${m.performance} < ${mobile ? 90 : 98}`],
    [m.accessibility === 100, `accessibility ${m.accessibility} < 100`],
    [m.bestPractices === 100, `best practices ${m.bestPractices} < 100`],
    [m.seo === 100, `SEO ${m.seo} < 100`],
    [m.lcp <= (mobile ? 2000 : 800), `LCP ${seconds(m.lcp)} > ${mobile ? "2.0 s" : "0.8 s"}`],
    [!mobile || m.tbt <= 200, `TBT ${Math.round(m.tbt)} ms > 200 ms`],
    [m.cls <= 0.02, `CLS ${m.cls.toFixed(3)} > 0.02`],
  ];
  return checks.filter(([ok]) => !ok).map(([, message]) => `${result.page} ${result.preset}: ${message}`);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** The medians as the Markdown table the issue uses. */
export function formatTable(results: readonly PageResult[]): string {
  const lines = [
    "| page | preset | performance | accessibility | best practices | SEO | FCP | LCP | TBT | CLS |",
    "|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const { page, preset, median: m } of results) {
    lines.push(
      `| \`${page}\` | ${preset} | ${m.performance} | ${m.accessibility} | ${m.bestPractices} | ${m.seo} | ${seconds(m.fcp)} | ${seconds(m.lcp)} | ${Math.round(m.tbt).toLocaleString("en-US")} ms | ${m.cls.toFixed(3)} |`,
    );
  }
  return lines.join("\n");
}
