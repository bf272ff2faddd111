// `pnpm --filter @lakebase-orders/web assets-bench --before-dist DIR`: bytes transferred and time to first
// render of a cold load, the baseline (its build served by its own static handler, read from git) against
// this tree (dist served by serveSpa), in one run on the same data. Each variant is a small server that
// serves the SPA itself and forwards /api to one API over the local Lakebase, so only the SPA side differs.
//   --before-dist DIR   a build of the baseline's SPA (required)
//   --baseline-ref REF  where the baseline's apps/api/src/static-files.ts is read from (default d9105b1)
//   --after-dist DIR    default apps/web/dist
//   --rows N            default 1,500,000; --data-dir DIR keeps the seeded data; --runs N (default 5)
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { type ServerType, serve } from "@hono/node-server";
// The API package exports no static handler (only the app wires it): its source, as the server runs it.
import { serveSpa } from "@lakebase-orders/api";
import type { Context } from "hono";
import { Hono } from "hono";
import { type BrowserContext, chromium } from "playwright-core";
import { CHROMIUM_FLAGS } from "../e2e/chromium-flags.ts";
import { serveBuild } from "./serve-build.ts";

const webDir = fileURLToPath(new URL("..", import.meta.url));
const repoRoot = path.resolve(webDir, "../..");
const { values } = parseArgs({
  options: {
    "before-dist": { type: "string" },
    "baseline-ref": { type: "string", default: "d9105b1" },
    "after-dist": { type: "string", default: path.join(webDir, "dist") },
    rows: { type: "string", default: "1500000" },
    "data-dir": { type: "string" },
    runs: { type: "string", default: "5" },
  },
  strict: true,
});
if (!values["before-dist"]) throw new Error("--before-dist is required (a build of the baseline SPA)");
const runs = Number(values.runs);

type Handler = (c: Context) => Promise<Response>;

/** The baseline's static handler, as it was committed. */
async function baselineHandler(dir: string): Promise<(root: string) => Handler> {
  const source = execFileSync("git", ["show", `${values["baseline-ref"]}:apps/api/src/static-files.ts`], {
    cwd: repoRoot,
    encoding: "utf8",
  });
  const file = path.join(dir, "baseline-static-files.ts");
  await writeFile(file, source);
  const mod = (await import(pathToFileURL(file).href)) as { serveSpa: (root: string) => Handler };
  return mod.serveSpa;
}

/** A front server: the SPA from `handler`, /api forwarded to the real API. */
async function front(handler: Handler, apiUrl: string): Promise<{ url: string; server: ServerType }> {
  const app = new Hono();
  app.all("/api/*", (c) => {
    const url = new URL(c.req.url);
    return fetch(`${apiUrl}${url.pathname}${url.search}`, {
      method: c.req.method,
      headers: c.req.raw.headers,
      body: c.req.method === "GET" || c.req.method === "HEAD" ? undefined : c.req.raw.body,
      duplex: "half",
    } as RequestInit);
  });
  app.get("*", handler);
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }),
    );
  });
}

interface Load {
  assetBytes: number;
  apiBytes: number;
  requests: number;
  fcp: number;
  firstRow: number;
}

/** One page load in `context`; bytes as received over the wire (headers and compressed bodies). */
async function load(context: BrowserContext, url: string, network: "local" | "slow-4g"): Promise<Load> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  if (network === "slow-4g") {
    // Lighthouse's mobile profile: 150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up.
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 150,
      downloadThroughput: (1.6 * 1024 * 1024) / 8,
      uploadThroughput: (750 * 1024) / 8,
    });
  }
  const paths = new Map<string, string>();
  let assetBytes = 0;
  let apiBytes = 0;
  let requests = 0;
  cdp.on("Network.requestWillBeSent", (e) => paths.set(e.requestId, new URL(e.request.url).pathname));
  cdp.on("Network.loadingFinished", (e) => {
    const p = paths.get(e.requestId) ?? "";
    if (p === "" || e.encodedDataLength === 0) return;
    requests++;
    if (p.startsWith("/api/")) apiBytes += e.encodedDataLength;
    else assetBytes += e.encodedDataLength;
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __firstRow?: number };
    new MutationObserver((_, observer) => {
      if (document.querySelector("tr[data-order-key]")) {
        w.__firstRow = performance.now();
        observer.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(url);
  await page.locator("tr[data-order-key]").first().waitFor({ timeout: 60_000 });
  await page.waitForTimeout(300);
  const times = await page.evaluate(() => ({
    fcp: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? Number.NaN,
    firstRow: (window as unknown as { __firstRow?: number }).__firstRow ?? Number.NaN,
  }));
  await page.close();
  return { assetBytes, apiBytes, requests, ...times };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (t: number) => `${Math.round(t)} ms`;

const work = await mkdtemp(path.join(tmpdir(), "assets-bench-"));
const served = await serveBuild({
  rows: Number(values.rows),
  staticDir: path.resolve(values["after-dist"]),
  ...(values["data-dir"] ? { dataDir: path.resolve(values["data-dir"]) } : {}),
});
const browser = await chromium.launch({
  executablePath: process.env.CHROME_PATH ?? "/usr/bin/chromium",
  args: CHROMIUM_FLAGS,
});
const fronts: ServerType[] = [];
try {
  const oldServe = await baselineHandler(work);
  const before = path.resolve(values["before-dist"]);
  const after = path.resolve(values["after-dist"]);
  const variants = [
    { name: "before (baseline build, baseline handler)", handler: oldServe(before) },
    { name: "this build, baseline handler", handler: oldServe(after) },
    { name: "after (this build, serveSpa)", handler: serveSpa(after) },
  ];
  const rows: string[] = [
    "| variant | network | cold: SPA bytes | cold: API bytes | requests | first paint | first row | warm reload: SPA bytes |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const network of ["local", "slow-4g"] as const) {
    for (const variant of variants) {
      const f = await front(variant.handler, served.baseUrl);
      fronts.push(f.server);
      const cold: Load[] = [];
      const warm: Load[] = [];
      for (let i = 0; i < runs; i++) {
        const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
        cold.push(await load(context, f.url, network));
        warm.push(await load(context, f.url, network));
        await context.close();
      }
      rows.push(
        `| ${variant.name} | ${network} | ${kb(median(cold.map((l) => l.assetBytes)))} | ${kb(median(cold.map((l) => l.apiBytes)))} | ${median(cold.map((l) => l.requests))} | ${ms(median(cold.map((l) => l.fcp)))} | ${ms(median(cold.map((l) => l.firstRow)))} | ${kb(median(warm.map((l) => l.assetBytes)))} |`,
      );
      process.stderr.write(`${rows[rows.length - 1]}\n`);
    }
  }
  console.log(rows.join("\n"));
  console.log(`(medians of ${runs} cold loads each, then a reload in the same browser context)`);
} finally {
  await browser.close();
  for (const server of fronts) server.close();
  await served.stop();
  await rm(work, { recursive: true, force: true });
}
