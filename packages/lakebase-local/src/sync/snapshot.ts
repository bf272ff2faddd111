import { analyzeOrders, createOrdersTable, loadOrders, type OrderColumn } from "@lakebase-orders/tpch";
import pg from "pg";
import type { Cluster } from "../compute/cluster.ts";
import type { PipelineProgress } from "../state/records.ts";

export interface PipelineTimings {
  /** Pause between pipeline phases, so pollers can observe each detailed_state. */
  stepMs: number;
}

export interface PipelineRun {
  cluster: Cluster;
  database: string;
  schema: string;
  table: string;
  /** `spec.primary_key_columns`: the table's primary key, its only index (as on the service). */
  primaryKey: readonly OrderColumn[];
  rows: number;
  timings: PipelineTimings;
  /** A fault injected for this run: the pipeline fails with this message at the snapshot phase. */
  injectedFailure?: string;
  signal: AbortSignal;
  onPhase(phase: "PROVISIONING_PIPELINE_RESOURCES" | "PROVISIONING_INITIAL_SNAPSHOT"): void;
  onProgress(progress: PipelineProgress): void;
}

/**
 * The initial snapshot of `samples.tpch.orders` into `<schema>.<table>` of the physical database, shaped
 * as Databricks creates a synced table: the source columns, the spec's primary key and no other index. Then
 * statistics, and the table is handed to the internal sync role and made readable (never writable) by every
 * role that may connect to the database.
 */
export async function runSnapshotPipeline(run: PipelineRun): Promise<void> {
  const { cluster, timings, signal } = run;
  const started = Date.now();
  await pause(timings.stepMs, signal);
  run.onPhase("PROVISIONING_PIPELINE_RESOURCES");
  await pause(timings.stepMs, signal);
  const syncRole = await cluster.ensureSyncRole();
  run.onPhase("PROVISIONING_INITIAL_SNAPSHOT");
  const report = (synced: number) => {
    const elapsed = (Date.now() - started) / 1000;
    const fraction = run.rows === 0 ? 1 : synced / run.rows;
    run.onProgress({
      synced_row_count: synced,
      total_row_count: run.rows,
      sync_progress_completion: Number(fraction.toFixed(4)),
      estimated_completion_time_seconds:
        fraction > 0 ? Math.max(0, Math.round((elapsed / fraction) * (1 - fraction))) : 0,
    });
  };
  report(0);
  await pause(timings.stepMs, signal);
  if (run.injectedFailure) throw new Error(run.injectedFailure);

  const client = new pg.Client({ connectionString: cluster.url(run.database) });
  // Deleting the instance mid-sync drops its database WITH (FORCE), ending this session: the pending step
  // fails the run; unheard, the client's "error" would take the whole local Lakebase down with it.
  client.on("error", () => undefined);
  await client.connect();
  const abort = () => void client.end().catch(() => undefined);
  signal.addEventListener("abort", abort, { once: true });
  try {
    const target = { schema: run.schema, table: run.table };
    const qualified = `${pg.escapeIdentifier(run.schema)}.${pg.escapeIdentifier(run.table)}`;
    await createOrdersTable(client, { ...target, primaryKey: run.primaryKey });
    await client.query(`TRUNCATE ${qualified}`);
    // One COPY (loadOrders streams it in chunks of 65,536 rows and reports each): progress advances per chunk.
    await loadOrders(client, { ...target, rows: run.rows, onProgress: (loaded) => report(loaded) });
    signal.throwIfAborted();
    await analyzeOrders(client, target);
    await client.query(`ALTER TABLE ${qualified} OWNER TO ${pg.escapeIdentifier(syncRole)}`);
    await client.query(`REVOKE ALL ON ${qualified} FROM PUBLIC`);
    await client.query(`GRANT SELECT ON ${qualified} TO PUBLIC`);
    await client.query(`GRANT USAGE ON SCHEMA ${pg.escapeIdentifier(run.schema)} TO PUBLIC`);
    report(run.rows);
  } finally {
    signal.removeEventListener("abort", abort);
    await client.end().catch(() => undefined);
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
