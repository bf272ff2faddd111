// The scale-factor-10 bench's data: a local Lakebase kept in a data directory, its seeded synced table owned
// as on Databricks (the pipeline's writer role; the creator, a workspace admin who is not the app, is its
// manager), so the app reads it as a service principal does in production and may not index it.
import fs from "node:fs";
import path from "node:path";
import { type LakebaseLocal, startLakebaseLocal } from "@lakebase-orders/lakebase-local";

export const NAMES = {
  instanceName: "orders-sf10",
  catalogName: "orders_sf10",
  databaseName: "orders",
  /** The seeded table: created without indexes (what the app finds when nobody asked the pipeline). */
  syncedTable: "public.orders_synced",
  /** Created by the bench with the app's `extra_index_definitions` (what the admin's create flow asks for). */
  indexedTable: "public.orders_indexed",
} as const;

/** Who created the synced tables: their manager in Postgres. Not the identity the app logs in with. */
export const CREATOR = "bench-admin@example.com";

export function dataDirFor(rows: number): string {
  return process.env.BENCH_DATA_DIR ?? `/tmp/lakebase-orders-bench/lakebase-${rows}`;
}

/**
 * Starts the local Lakebase over its kept directory; the first start generates the source and loads the
 * synced table (15 M rows: minutes), later ones reuse both.
 */
export async function openLakebase(rows: number, log: (line: string) => void): Promise<LakebaseLocal> {
  const dataDir = dataDirFor(rows);
  const fresh = !fs.existsSync(path.join(dataDir, "lakebase-local-state.json"));
  fs.mkdirSync(dataDir, { recursive: true });
  if (fresh) log(`loading ${rows.toLocaleString("en")} orders into a local Lakebase in ${dataDir} (kept)...`);
  const started = performance.now();
  let lastProgress = 0;
  const local = await startLakebaseLocal({
    dataDir,
    sourceRows: rows,
    // The kept data is a Provisioned instance (loaded before the Autoscaling flavour became the default);
    // a synced table's ownership is the same in both flavours.
    flavor: "provisioned",
    // A bench measures reads; pipeline steps need not dawdle.
    timings: { instanceStartMs: 50, instanceDeleteMs: 50, pipelineStepMs: 50 },
    seed: {
      instanceName: NAMES.instanceName,
      catalogName: NAMES.catalogName,
      databaseName: NAMES.databaseName,
      syncedTable: NAMES.syncedTable,
      syncedTableCreator: CREATOR,
    },
    log: (event) => {
      if (Date.now() - lastProgress < 30_000 && event.event !== "synced_table_failed") return;
      lastProgress = Date.now();
      log(`  lakebase-local: ${JSON.stringify(event).slice(0, 200)}`);
    },
  });
  if (fresh) log(`loaded in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return local;
}
