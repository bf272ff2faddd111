import { analyzeOrders, createOrdersTable, loadOrders, type OrderColumn } from "@lakebase-orders/tpch";
import pg from "pg";
import { type BatchHooks, inTransaction } from "./connection.ts";
import { qualified } from "./ownership.ts";
import { baseIndexOf, type Source, type SourceRow } from "./source/source.ts";
import type { IndexDefinition } from "./sync-state.ts";

export interface TableRef {
  schema: string;
  table: string;
}

const CHUNK = 5_000;

/**
 * The table as Databricks creates a synced table of `samples.tpch.orders`: the source columns with their
 * Postgres types and the spec's primary key, and no other index.
 */
export async function createSyncedTable(
  client: pg.ClientBase,
  target: TableRef,
  primaryKey: readonly OrderColumn[],
): Promise<void> {
  await createOrdersTable(client, { ...target, primaryKey });
}

/**
 * A full copy of the source at `version` in ONE transaction: TRUNCATE (ACCESS EXCLUSIVE on the table until
 * COMMIT, so every reader waits for the whole copy), COPY of the base rows, then the source's changes up to
 * `version` on top. The table itself stays (its indexes, grants and managers' indexes too, maintained row by
 * row during the COPY), as a same-mode refresh on the service keeps them. The documentation does not say
 * how a refresh writes: this is the harsher plausible way (see the README).
 */
export async function copySnapshot(run: {
  client: pg.Client;
  source: Source;
  target: TableRef;
  version: number;
  hooks: BatchHooks;
  onProgress(synced: number, total: number): void;
}): Promise<number> {
  const { client, source, target } = run;
  const head = await source.head();
  const overlay = await source.overlayAt(run.version);
  let total = head.baseRows;
  const rows: SourceRow[] = [];
  for (const [key, row] of overlay) {
    const inBase = baseIndexOf(key, head.baseRows) !== undefined;
    if (row) rows.push(row);
    total += (row ? 1 : 0) - (inBase ? 1 : 0);
  }
  const table = qualified(target);
  await inTransaction(client, run.hooks, async () => {
    await client.query(`TRUNCATE ${table}`);
    run.onProgress(0, total);
    await loadOrders(client, {
      ...target,
      rows: head.baseRows,
      seed: head.seed,
      onProgress: (loaded) => run.onProgress(Math.min(loaded, total), total),
    });
    const keys = [...overlay.keys()];
    for (let i = 0; i < keys.length; i += CHUNK) {
      await client.query(`DELETE FROM ${table} WHERE o_orderkey = ANY($1::bigint[])`, [
        keys.slice(i, i + CHUNK),
      ]);
    }
    for (let i = 0; i < rows.length; i += CHUNK) {
      await client.query(
        `INSERT INTO ${table} SELECT * FROM jsonb_populate_recordset(NULL::${table}, $1::jsonb)`,
        [JSON.stringify(rows.slice(i, i + CHUNK))],
      );
    }
  });
  run.onProgress(total, total);
  return total;
}

/**
 * `extra_index_definitions`, built after the data load as the table's writer role (so a definition can do
 * no more than the table's owner could) and in the extended protocol (one statement, nothing riding along).
 * `IF NOT EXISTS`: built once, kept across same-mode refreshes, rebuilt by a refresh when dropped.
 */
export async function buildExtraIndexes(
  client: pg.Client,
  target: TableRef,
  writer: string,
  indexes: readonly IndexDefinition[],
): Promise<void> {
  for (const index of indexes) {
    await inTransaction(client, { beforeCommit: () => Promise.resolve() }, async () => {
      await client.query(`SET LOCAL ROLE ${pg.escapeIdentifier(writer)}`);
      // Sorting in memory instead of on disk makes each build several times faster (this transaction only).
      await client.query("SET LOCAL maintenance_work_mem = '256MB'");
      // pg honours `queryMode` (its types do not declare it yet).
      const statement = {
        text: `CREATE INDEX IF NOT EXISTS ${pg.escapeIdentifier(index.name)} ON ${qualified(target)} ${index.definition}`,
        queryMode: "extended",
      };
      await client.query(statement as pg.QueryConfig);
    });
  }
}

/** Planner statistics after a load (on the service autovacuum gets there a little later). */
export async function analyze(client: pg.Client, target: TableRef): Promise<void> {
  await analyzeOrders(client, target);
}
