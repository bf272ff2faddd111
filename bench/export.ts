/**
 * The CSV export against PostgreSQL's own `COPY ... TO STDOUT` of the same rows (issue 27 item 7), round by
 * round: GET /api/export/orders.csv read to the end by this process, then the very statement the API sent
 * (read from pg_stat_activity while the export ran) run by psql into /dev/null. Beside the times, the API
 * process's resident memory before and at its peak during the export (sampled every 50 ms): flat means the
 * export streams instead of buffering. Data: the primary-key-only cluster the other benches keep.
 * Usage: pnpm --filter @lakebase-orders/bench export [--rows 1500000] [--rounds 3] [--query "sort=totalPrice"]
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import { withClient } from "@lakebase-orders/pg-local";
import pg from "pg";
import { openBenchData } from "./src/data.ts";
import { log, medianOf } from "./src/rounds.ts";
import { startApi } from "./src/servers.ts";
import { formatTable } from "./src/table.ts";

const args = process.argv.slice(2).filter((a) => a !== "--");
const option = (name: string): string | undefined =>
  args.includes(name) ? args[args.indexOf(name) + 1] : undefined;
const ROWS = Number(option("--rows") ?? 1_500_000);
const ROUNDS = Number(option("--rounds") ?? 3);
const QUERY = option("--query") ?? "";
const PSQL = option("--psql") ?? "psql";

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

interface ExportRun {
  seconds: number;
  bytes: number;
  rssBefore: number;
  rssPeak: number;
  statement: string | undefined;
}

const data = await openWithLongStatements();
const api = await startApi({ LAKEBASE_PG_URL: data.url, CLUSTER_WORKERS: "1" });
const watcher = new pg.Client({ connectionString: data.url });
await watcher.connect();

/**
 * The kept cluster, with pg_stat_activity keeping the export's whole statement: it keeps
 * track_activity_query_size bytes (1 kB by default), and the export's COPY has outgrown that. A server
 * setting, so set once (ALTER SYSTEM, kept in the data directory) and the cluster restarted.
 */
async function openWithLongStatements() {
  const first = await openBenchData(ROWS, { log });
  const kept = await withClient(first.url, async (c) => {
    const { rows } = await c.query<{ bytes: string }>(
      "SELECT setting AS bytes FROM pg_settings WHERE name = 'track_activity_query_size'",
    );
    if (Number(rows[0]?.bytes) >= 16_384) return true;
    await c.query("ALTER SYSTEM SET track_activity_query_size = 16384");
    return false;
  });
  if (kept) return first;
  await first.postgres.stop();
  return openBenchData(ROWS, { log });
}

/** The export over HTTP, read to its last byte; the API's RSS and its COPY statement sampled meanwhile. */
async function exportOnce(): Promise<ExportRun> {
  const rssBefore = rssMb(api.pid);
  let rssPeak = rssBefore;
  let statement: string | undefined;
  let running = true;
  const sampler = (async () => {
    while (running) {
      rssPeak = Math.max(rssPeak, rssMb(api.pid));
      if (!statement) {
        const { rows } = await watcher.query<{ query: string }>(
          "SELECT query FROM pg_stat_activity WHERE query ILIKE 'COPY%' AND pid <> pg_backend_pid() LIMIT 1",
        );
        statement = rows[0]?.query;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const started = performance.now();
  const res = await fetch(`${api.url}/api/export/orders.csv${QUERY ? `?${QUERY}` : ""}`);
  if (!res.ok || !res.body) throw new Error(`export answered ${res.status}: ${await res.text()}`);
  let bytes = 0;
  for await (const chunk of res.body) bytes += chunk.length;
  const seconds = (performance.now() - started) / 1000;
  running = false;
  await sampler;
  return { seconds, bytes, rssBefore, rssPeak, statement };
}

/** PostgreSQL's own COPY of the same statement, by psql into /dev/null. */
async function copyOnce(statement: string): Promise<number> {
  const started = performance.now();
  const child = spawn(PSQL, [data.url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", statement], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  const [code] = (await once(child, "exit")) as [number | null];
  if (code !== 0) throw new Error(`psql exited with ${code}`);
  return (performance.now() - started) / 1000;
}

try {
  log(
    `\nexport vs COPY: ${ROWS.toLocaleString("en")} orders, ${ROUNDS} interleaved rounds, query "${QUERY}", load ${fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}\n`,
  );
  const warm = await exportOnce(); // the API's first export: JIT, the table's pages in the cache
  if (!warm.statement) throw new Error("the export's COPY statement was not seen in pg_stat_activity");
  // pg_stat_activity keeps track_activity_query_size bytes of a statement (set to 16 kB above).
  if (Buffer.byteLength(warm.statement) >= 16_383)
    throw new Error("the COPY statement seen may be truncated");
  log(`statement: ${warm.statement.replace(/\s+/g, " ").slice(0, 300)}...`);
  await copyOnce(warm.statement);
  const exports: ExportRun[] = [];
  const copies: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      exports.push(await exportOnce());
      copies.push(await copyOnce(warm.statement));
    } else {
      copies.push(await copyOnce(warm.statement));
      exports.push(await exportOnce());
    }
    const e = exports.at(-1)!;
    log(
      `round ${round + 1}: export ${e.seconds.toFixed(2)} s (${(e.bytes / 1e6).toFixed(0)} MB, RSS ${e.rssBefore.toFixed(0)} -> peak ${e.rssPeak.toFixed(0)} MB), COPY ${copies.at(-1)!.toFixed(2)} s`,
    );
  }
  const ratio = medianOf(exports.map((e, i) => e.seconds / copies[i]!));
  log(
    `\n${formatTable([
      ["", "seconds (median)", "MB", "API RSS before / peak MB", "export / COPY (median per round)"],
      [
        "export (HTTP)",
        medianOf(exports.map((e) => e.seconds)).toFixed(2),
        (medianOf(exports.map((e) => e.bytes)) / 1e6).toFixed(0),
        `${medianOf(exports.map((e) => e.rssBefore)).toFixed(0)} / ${Math.max(...exports.map((e) => e.rssPeak)).toFixed(0)}`,
        ratio.toFixed(2),
      ],
      ["COPY TO STDOUT (psql)", medianOf(copies).toFixed(2), "", "", "1"],
    ])}`,
  );
} finally {
  await watcher.end();
  await api.stop();
  await data.postgres.stop();
}
