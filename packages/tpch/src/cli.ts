// pnpm --filter @lakebase-orders/tpch load -- --url postgresql://... (--rows N | --scale SF) [--seed S]
//   [--schema public] [--table orders_synced] [--replace] [--indexes]
import { parseArgs } from "node:util";
import pg from "pg";
import { z } from "zod";
import { DEFAULT_SEED, ROWS_PER_SCALE_FACTOR } from "./orders-generator.ts";
import {
  analyzeOrders,
  createOrderIndexes,
  createOrdersTable,
  loadOrders,
  qualifiedTable,
} from "./orders-table.ts";

const USAGE = `usage: load --url postgresql://user:pass@host:port/db (--rows N | --scale SF)
            [--seed S] [--schema public] [--table orders_synced] [--replace] [--indexes]
  --rows     number of orders to generate (or --scale: 1 = ${ROWS_PER_SCALE_FACTOR.toLocaleString("en")} rows)
  --replace  drop the table first (otherwise a non-empty table is an error)
  --indexes  also build secondary indexes on date, price, status and priority. Off by default: the synced
             table Databricks creates has only its primary key, and so does this one unless you ask.`;

const Args = z
  .object({
    url: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL"),
    rows: z.coerce.number().int().nonnegative().optional(),
    scale: z.coerce.number().positive().optional(),
    seed: z.coerce.number().int().min(-2147483648).max(4294967295).default(DEFAULT_SEED),
    schema: z.string().min(1).default("public"),
    table: z.string().min(1).default("orders_synced"),
    replace: z.boolean().default(false),
    indexes: z.boolean().default(false),
  })
  .refine(
    (a) => (a.rows === undefined) !== (a.scale === undefined),
    "give exactly one of --rows and --scale",
  );

function log(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ at: new Date().toISOString(), ...event })}\n`);
}

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let raw: ReturnType<typeof parseArgs>["values"];
  try {
    raw = parseArgs({
      // pnpm passes the "--" separator through: drop it.
      args: process.argv.slice(2).filter((a) => a !== "--"),
      options: {
        url: { type: "string" },
        rows: { type: "string" },
        scale: { type: "string" },
        seed: { type: "string" },
        schema: { type: "string" },
        table: { type: "string" },
        replace: { type: "boolean" },
        indexes: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (error) {
    fail((error as Error).message);
  }
  if (raw.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const parsed = Args.safeParse(raw);
  if (!parsed.success) fail(z.prettifyError(parsed.error));
  const args = parsed.data;
  const rows = args.rows ?? Math.round((args.scale ?? 0) * ROWS_PER_SCALE_FACTOR);
  const target = { schema: args.schema, table: args.table };
  // Never echo the URL: it may carry a password or token.
  const client = new pg.Client({ connectionString: args.url });
  await client.connect();
  try {
    const started = performance.now();
    if (args.replace) await client.query(`DROP TABLE IF EXISTS ${qualifiedTable(target)}`);
    await createOrdersTable(client, target);
    const existing = await client.query(`SELECT EXISTS (SELECT 1 FROM ${qualifiedTable(target)}) AS any`);
    if (existing.rows[0]?.any) {
      throw new Error(`${qualifiedTable(target)} already has rows; pass --replace to drop and reload it`);
    }
    log({ event: "load_started", table: qualifiedTable(target), rows, seed: args.seed });
    let lastReport = 0;
    const load = await loadOrders(client, {
      ...target,
      rows,
      seed: args.seed,
      onProgress: (loaded, total) => {
        const now = performance.now();
        if (now - lastReport < 1000 && loaded < total) return;
        lastReport = now;
        log({ event: "load_progress", loaded, total, percent: Math.round((loaded / total) * 1000) / 10 });
      },
    });
    log({ event: "copy_done", rows: load.rows, ms: load.ms });
    const finishStarted = performance.now();
    if (args.indexes) {
      await createOrderIndexes(client, target);
      log({ event: "indexes_done", ms: Math.round(performance.now() - finishStarted) });
    } else {
      await analyzeOrders(client, target);
    }
    // Index builds (with --indexes) and ANALYZE.
    const finishMs = Math.round(performance.now() - finishStarted);
    log({
      event: "load_finished",
      table: qualifiedTable(target),
      rows: load.rows,
      indexes: args.indexes,
      copyMs: load.ms,
      finishMs,
      totalMs: Math.round(performance.now() - started),
      rowsPerSecond: Math.round(load.rows / (load.ms / 1000 || 1)),
    });
  } finally {
    await client.end();
  }
}

main().catch((error: unknown) => {
  log({ event: "load_failed", error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
