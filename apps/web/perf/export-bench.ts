// `pnpm --filter @lakebase-orders/web export-bench [--rows N] [--data-dir DIR] [--runs N]`: the CSV export
// (GET /api/export/orders.csv) of the whole table and of parts of it, on the local Lakebase with 1.5 M TPC-H
// orders by default. The API runs in its own process, so its memory is its own: the bench samples its
// resident size (VmRSS) every 50 ms during each export and reads the kernel's peak (VmHWM, reset before each
// export), and prints rows, bytes, time to the first byte, total time and the server's memory before and at
// its peak. The client reads as fast as it can and keeps nothing (it counts lines and bytes).

import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startLakebaseLocal } from "@lakebase-orders/lakebase-local";
import { lakebaseEnv, namesFor, seedOf } from "../e2e/local-lakebase.ts";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "1500000" },
    "data-dir": { type: "string" },
    runs: { type: "string", default: "3" },
    json: { type: "boolean", default: false },
  },
  strict: true,
});
const rows = Number(values.rows);
const runs = Number(values.runs);
const here = fileURLToPath(new URL(".", import.meta.url));
const identity = "analyst@example.com";
const NAMES = namesFor("orders-perf");

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

async function memoryOf(pid: number): Promise<{ rss: number; hwm: number }> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}

/** Resets the kernel's peak resident size of `pid` to its current size (Linux: clear_refs 5). */
async function resetPeak(pid: number): Promise<boolean> {
  try {
    await writeFile(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

async function startApi(
  env: Record<string, string>,
): Promise<{ url: string; pid: number; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(here, "export-server.ts"), JSON.stringify(env)],
    { stdio: ["ignore", "pipe", "inherit"], cwd: path.resolve(here, "..") },
  );
  // Read to the end, dropping what follows the ready line: a pipe left unread fills and blocks its logger.
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<{ url: string; pid: number }>((resolve, reject) => {
    let found = false;
    lines.on("line", (line) => {
      if (found || !line.startsWith('{"url":')) return;
      found = true;
      resolve(JSON.parse(line) as { url: string; pid: number });
    });
    lines.once("close", () => reject(new Error("the API process exited before listening")));
  });
  return { ...ready, child };
}

interface Result {
  scenario: string;
  rows: number;
  bytes: number;
  firstByteMs: number;
  totalMs: number;
  rssBeforeMb: number;
  rssPeakMb: number;
  hwmMb: number;
}

async function exportOnce(url: string, pid: number, scenario: string, query: string): Promise<Result> {
  // Let the collector settle, so "before" is the process at rest.
  await new Promise((r) => setTimeout(r, 500));
  const peakReset = await resetPeak(pid);
  const before = await memoryOf(pid);
  let peak = before.rss;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, (await memoryOf(pid)).rss);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const started = performance.now();
  const response = await fetch(`${url}/api/export/orders.csv${query}`);
  if (!response.ok || !response.body)
    throw new Error(`${scenario}: HTTP ${response.status} ${await response.text()}`);
  let firstByteMs = 0;
  let bytes = 0;
  let lines = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (bytes === 0) firstByteMs = performance.now() - started;
    bytes += value.byteLength;
    for (let i = value.indexOf(10); i !== -1; i = value.indexOf(10, i + 1)) lines++;
  }
  const totalMs = performance.now() - started;
  sampling = false;
  await sampler;
  const after = await memoryOf(pid);
  return {
    scenario,
    rows: lines - 1,
    bytes,
    firstByteMs: Math.round(firstByteMs),
    totalMs: Math.round(totalMs),
    rssBeforeMb: mb(before.rss),
    rssPeakMb: mb(Math.max(peak, after.rss)),
    hwmMb: peakReset ? mb(after.hwm) : Number.NaN,
  };
}

const SCENARIOS: [string, string][] = [
  ["whole table, key order", ""],
  ["whole table, by total desc", "?sort=-totalPrice"],
  ["1992 only (~15 %)", "?dateTo=1992-12-31"],
  ["status O, 3 columns", "?status=O&columns=orderKey,totalPrice,orderDate"],
];

const lakebase = await startLakebaseLocal({
  identity,
  sourceRows: rows,
  ...(values["data-dir"] ? { dataDir: path.resolve(values["data-dir"]) } : {}),
  seed: seedOf(NAMES, rows),
});
let api: Awaited<ReturnType<typeof startApi>> | undefined;
try {
  api = await startApi({
    ...lakebaseEnv(lakebase, NAMES),
    LOCAL_IDENTITY: identity,
    LOG_LEVEL: "warn",
  });
  // Warm-up: the first export also pays for connections and the availability check.
  await exportOnce(api.url, api.pid, "warm-up", "?status=P&columns=orderKey");
  const results: Result[] = [];
  for (const [scenario, query] of SCENARIOS) {
    for (let run = 0; run < runs; run++) results.push(await exportOnce(api.url, api.pid, scenario, query));
  }
  if (values.json) {
    console.log(JSON.stringify({ rows, runs, results }, null, 2));
  } else {
    console.log(
      `CSV export on ${rows.toLocaleString("en-US")} orders, ${runs} runs each (server: its own process)`,
    );
    console.log(
      "scenario".padEnd(30),
      "rows".padStart(10),
      "MB".padStart(7),
      "1st byte".padStart(9),
      "total s".padStart(8),
      "rows/s".padStart(9),
      "RSS before".padStart(11),
      "RSS peak".padStart(9),
      "VmHWM".padStart(7),
    );
    for (const r of results) {
      console.log(
        r.scenario.padEnd(30),
        r.rows.toLocaleString("en-US").padStart(10),
        String(mb(r.bytes)).padStart(7),
        `${r.firstByteMs} ms`.padStart(9),
        (r.totalMs / 1000).toFixed(2).padStart(8),
        Math.round(r.rows / (r.totalMs / 1000))
          .toLocaleString("en-US")
          .padStart(9),
        `${r.rssBeforeMb} MB`.padStart(11),
        `${r.rssPeakMb} MB`.padStart(9),
        `${r.hwmMb} MB`.padStart(7),
      );
    }
  }
} finally {
  // A server that died under the load (what this bench watches for) sends no exit event any more.
  if (api && api.child.exitCode === null && api.child.signalCode === null) {
    const exited = once(api.child, "exit");
    api.child.kill("SIGTERM");
    await exited;
  }
  await lakebase.stop();
}
