import pg from "pg";
import { type BatchHooks, inTransaction } from "./connection.ts";
import { qualified } from "./ownership.ts";
import type { TableRef } from "./snapshot.ts";
import { SOURCE_COLUMNS } from "./source/columns.ts";
import type { ChangeRow, Source, SourceRow } from "./source/source.ts";

export interface IncrementalRun {
  client: pg.Client;
  source: Source;
  target: TableRef;
  primaryKey: readonly string[];
  /** The last version already in the table. */
  from: number;
  /** The version to reach. */
  to: number;
  /** At most this many source changes per transaction. */
  batchRows: number;
  hooks: BatchHooks;
  signal: AbortSignal;
  /** Before and after each batch: changes applied so far, of how many, and the version being applied. */
  onBatch(applied: number, total: number, processingVersion: number): void;
  /** Every change up to `version` is committed in the table. */
  onVersion(version: number): Promise<void>;
}

/**
 * Applies the source's changes after `from` up to `to`, in source order, in transactions of at most
 * `batchRows` changes. A batch may end inside a version, so a reader can see part of a large source commit
 * (the harsher reading of what the documentation leaves open); `onVersion` reports only versions that are
 * complete. Inserts and updates are upserts on the table's primary key, deletes are deletes.
 */
export async function applyChanges(run: IncrementalRun): Promise<void> {
  const total = await run.source.changeCount(run.from, run.to);
  let cursor = { version: run.from, key: Number.MAX_SAFE_INTEGER };
  let applied = 0;
  let complete = run.from;
  for (;;) {
    run.signal.throwIfAborted();
    const page = await run.source.changesAfter(cursor, run.to, run.batchRows + 1);
    const batch = page.slice(0, run.batchRows);
    const last = batch.at(-1);
    if (!last) break;
    run.onBatch(applied, total, last.version);
    await inTransaction(run.client, run.hooks, () =>
      applyBatch(run.client, run.target, run.primaryKey, batch),
    );
    applied += batch.length;
    run.onBatch(applied, total, last.version);
    cursor = { version: last.version, key: last.o_orderkey };
    const next = page[run.batchRows];
    const done =
      next === undefined ? run.to : next.version === last.version ? last.version - 1 : last.version;
    if (done > complete) {
      complete = done;
      await run.onVersion(done);
    }
    if (!next) break;
  }
  if (complete < run.to) await run.onVersion(run.to);
}

async function applyBatch(
  client: pg.Client,
  target: TableRef,
  primaryKey: readonly string[],
  batch: readonly ChangeRow[],
): Promise<void> {
  // The net effect per key: a key changed twice in one batch must be written once (ON CONFLICT may not touch
  // a row twice in one statement).
  const net = new Map<number, { after: SourceRow | null; deleteFirst: boolean }>();
  for (const change of batch) {
    const entry = net.get(change.o_orderkey) ?? { after: null, deleteFirst: false };
    if (change.change_type === "delete") {
      entry.deleteFirst = true;
      entry.after = null;
    } else {
      // An update that moves the row's primary key leaves the old key behind unless deleted first.
      if (
        change.before &&
        change.after &&
        primaryKey.some((c) => keyOf(change.before, c) !== keyOf(change.after, c))
      ) {
        entry.deleteFirst = true;
      }
      entry.after = change.after;
    }
    net.set(change.o_orderkey, entry);
  }
  const table = qualified(target);
  const deletes = [...net].filter(([, e]) => e.deleteFirst).map(([key]) => key);
  if (deletes.length > 0) {
    await client.query(`DELETE FROM ${table} WHERE o_orderkey = ANY($1::bigint[])`, [deletes]);
  }
  const rows = [...net.values()].flatMap((e) => (e.after ? [e.after] : []));
  if (rows.length === 0) return;
  const key = primaryKey.map((c) => pg.escapeIdentifier(c)).join(", ");
  const set = SOURCE_COLUMNS.filter((c) => !primaryKey.includes(c))
    .map((c) => `${pg.escapeIdentifier(c)} = EXCLUDED.${pg.escapeIdentifier(c)}`)
    .join(", ");
  await client.query(
    `INSERT INTO ${table} SELECT * FROM jsonb_populate_recordset(NULL::${table}, $1::jsonb)
     ON CONFLICT (${key}) ${set ? `DO UPDATE SET ${set}` : "DO NOTHING"}`,
    [JSON.stringify(rows)],
  );
}

function keyOf(row: SourceRow | null, column: string): unknown {
  return row ? (row as unknown as Record<string, unknown>)[column] : undefined;
}
