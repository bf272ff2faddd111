// `pnpm --filter @lakebase-orders/web lighthouse`: Lighthouse (simulated throttling) on the production build
// served by the real API over the local Lakebase, mobile and desktop, `/` and `/admin`, medians of 3 runs.
// Prints the table and fails when a median misses a target of issue #19. Build first (`pnpm build`).
//   --rows N        orders in the local Lakebase (default 1,500,000)
//   --dist DIR      the built SPA (default apps/web/dist)
//   --data-dir DIR  keep the seeded local Lakebase here between runs
//   --url URL       audit a server that is already running instead (no local stack)
//   --runs N        runs per page and preset (default 3)
//   --json FILE     also write every run as JSON
//   --no-fail       print only, never fail on the targets
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { availableParallelism, loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { formatTable, runLighthouse, targetFailures } from "../perf/lighthouse.ts";
import { serveBuild } from "../perf/serve-build.ts";

const webDir = fileURLToPath(new URL("..", import.meta.url));
const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "1500000" },
    dist: { type: "string", default: path.join(webDir, "dist") },
    "data-dir": { type: "string" },
    url: { type: "string" },
    runs: { type: "string", default: "3" },
    json: { type: "string" },
    "no-fail": { type: "boolean", default: false },
  },
  strict: true,
});

const rows = Number(values.rows);
const runs = Number(values.runs);
if (!Number.isSafeInteger(rows) || rows < 1) throw new Error("--rows must be a positive integer");
if (!Number.isSafeInteger(runs) || runs < 1) throw new Error("--runs must be a positive integer");
const dist = path.resolve(values.dist);
if (!values.url && !existsSync(path.join(dist, "index.html"))) {
  throw new Error(`${dist}/index.html is missing: run the build first`);
}

const started = performance.now();
const served = values.url
  ? null
  : await serveBuild({
      rows,
      staticDir: dist,
      ...(values["data-dir"] ? { dataDir: path.resolve(values["data-dir"]) } : {}),
    });
const baseUrl = values.url ?? served?.baseUrl ?? "";
process.stderr.write(`lighthouse: auditing ${baseUrl} (${values.url ? "external" : `${rows} orders`})\n`);
let failed = false;
try {
  const results = await runLighthouse({
    baseUrl,
    pages: ["/", "/admin"],
    presets: ["mobile", "desktop"],
    runs,
    onRun: (page, preset, run, s) =>
      process.stderr.write(
        `  ${page} ${preset} run ${run}: perf ${s.performance} LCP ${Math.round(s.lcp)} ms TBT ${Math.round(s.tbt)} ms CLS ${s.cls.toFixed(3)}\n`,
      ),
  });
  if (values.json) await writeFile(values.json, JSON.stringify(results, null, 2));
  console.log(formatTable(results));
  const failures = results.flatMap(targetFailures);
  // TBT is CPU time on this machine (x4 for mobile): the load during the run says how far to trust it.
  const load = loadavg().map((l) => l.toFixed(1));
  console.log(
    `(medians of ${runs}, ${Math.round((performance.now() - started) / 1000)} s in all; load average ${load.join(" ")} on ${availableParallelism()} cores)`,
  );
  if (failures.length > 0) {
    console.log(`\nBelow target:\n${failures.map((f) => `- ${f}`).join("\n")}`);
    failed = !values["no-fail"];
  } else {
    console.log("\nEvery target met.");
  }
} finally {
  await served?.stop();
}
// Explicit: the local Lakebase's shutdown may leave handles or an exit code of its own behind.
process.exit(failed ? 1 : 0);
