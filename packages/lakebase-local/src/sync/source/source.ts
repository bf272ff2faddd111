import { DEFAULT_SEED, generateOrders, type OrderRow, orderKeyForIndex } from "@lakebase-orders/tpch";
import pg from "pg";
import { alreadyExists, invalidParameter } from "../../api-error.ts";
import { type ColumnValues, type CommitResult, MAX_ROWS_PER_COMMIT, type SourceChange } from "./changes.ts";

/** A row of `samples.tpch.orders` under its column names, as JSON (the form changes are kept in). */
export interface SourceRow {
  o_orderkey: number;
  o_custkey: number;
  o_orderstatus: string;
  o_totalprice: string;
  o_orderdate: string;
  o_orderpriority: string;
  o_clerk: string;
  o_shippriority: number;
  o_comment: string;
}

/** One row's change in one source version, like a Delta change data feed entry. */
export interface ChangeRow {
  version: number;
  o_orderkey: number;
  change_type: "insert" | "update" | "delete";
  /** The row before (update, delete). */
  before: SourceRow | null;
  /** The row after (insert, update). */
  after: SourceRow | null;
}

export interface SourceHead {
  version: number;
  committed_at: string;
  baseRows: number;
  seed: number;
}

interface ClusterAccess {
  createDatabase(name: string): Promise<void>;
  url(database: string): string;
}

const CHUNK = 5_000;

/**
 * The Delta source `samples.tpch.orders`: version 0 is `baseRows` generated orders (never stored: any row is
 * a pure function of its index), and every later version is a commit whose changes are kept like a change
 * data feed (`source_changes`: per version and key, the row before and after). The current table, or the
 * table at any version, is the base overlaid with the latest change per key up to that version.
 * It lives in its own database on the cluster; commits are serialized on its one metadata row.
 */
export class Source {
  readonly database: string;
  readonly #cluster: ClusterAccess;
  readonly #baseRows: number;
  #pool: pg.Pool | undefined;
  #ready: Promise<void> | undefined;

  constructor(cluster: ClusterAccess, database: string, baseRows: number) {
    this.#cluster = cluster;
    this.database = database;
    this.#baseRows = baseRows;
  }

  /** The current version and the base. */
  async head(): Promise<SourceHead> {
    const pool = await this.#open();
    const r = await pool.query<{ version: string; committed_at: Date; base_rows: string; seed: string }>(
      `SELECT m.version, c.committed_at, m.base_rows, m.seed
         FROM source_meta m JOIN source_commits c ON c.version = m.version WHERE m.id = 1`,
    );
    const row = r.rows[0];
    if (!row) throw new Error("lakebase-local: the source has no metadata");
    return {
      version: Number(row.version),
      committed_at: row.committed_at.toISOString(),
      baseRows: Number(row.base_rows),
      seed: Number(row.seed),
    };
  }

  async commitTime(version: number): Promise<string> {
    const pool = await this.#open();
    const r = await pool.query<{ committed_at: Date }>(
      "SELECT committed_at FROM source_commits WHERE version = $1",
      [version],
    );
    return (r.rows[0]?.committed_at ?? new Date()).toISOString();
  }

  /** Rows changed by the versions after `after` up to `upTo`. */
  async changeCount(after: number, upTo: number): Promise<number> {
    const pool = await this.#open();
    const r = await pool.query<{ n: string }>(
      "SELECT coalesce(sum(rows), 0) AS n FROM source_commits WHERE version > $1 AND version <= $2",
      [after, upTo],
    );
    return Number(r.rows[0]?.n ?? 0);
  }

  /** The changes after `(version, key)` up to version `upTo`, in (version, key) order. */
  async changesAfter(
    from: { version: number; key: number },
    upTo: number,
    limit: number,
  ): Promise<ChangeRow[]> {
    const pool = await this.#open();
    const r = await pool.query<{
      version: string;
      o_orderkey: string;
      change_type: ChangeRow["change_type"];
      before: SourceRow | null;
      after: SourceRow | null;
    }>(
      `SELECT version, o_orderkey, change_type, before, after FROM source_changes
        WHERE (version, o_orderkey) > ($1, $2) AND version <= $3
        ORDER BY version, o_orderkey LIMIT $4`,
      [from.version, from.key, upTo, limit],
    );
    return r.rows.map((row) => ({
      version: Number(row.version),
      o_orderkey: Number(row.o_orderkey),
      change_type: row.change_type,
      before: row.before,
      after: row.after,
    }));
  }

  /** Per changed key, its row at `version` (null: deleted). Keys never changed are the base's. */
  async overlayAt(version: number): Promise<Map<number, SourceRow | null>> {
    const pool = await this.#open();
    const r = await pool.query<{ o_orderkey: string; after: SourceRow | null }>(
      `SELECT DISTINCT ON (o_orderkey) o_orderkey, after FROM source_changes
        WHERE version <= $1 ORDER BY o_orderkey, version DESC`,
      [version],
    );
    return new Map(r.rows.map((row) => [Number(row.o_orderkey), row.after]));
  }

  /** How many rows the table holds at `version`. */
  async rowsAt(version: number): Promise<number> {
    const head = await this.head();
    let rows = head.baseRows;
    for (const [key, row] of await this.overlayAt(version)) {
      rows += (row ? 1 : 0) - (baseIndexOf(key, head.baseRows) !== undefined ? 1 : 0);
    }
    return rows;
  }

  /** Applies one change as one new version (none when no row changes). */
  async apply(change: SourceChange): Promise<CommitResult> {
    const pool = await this.#open();
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      const meta = await lockMeta(client);
      const rows = await this.#plan(client, meta, change);
      if (rows.length === 0) {
        await client.query("ROLLBACK");
        const head = await this.head();
        return { version: head.version, committed_at: head.committed_at, rows: 0 };
      }
      const version = meta.version + 1;
      const committed = await client.query<{ committed_at: Date }>(
        "INSERT INTO source_commits (version, committed_at, operation, rows) VALUES ($1, clock_timestamp(), $2, $3) RETURNING committed_at",
        [version, change.op.toUpperCase(), rows.length],
      );
      for (let i = 0; i < rows.length; i += CHUNK) {
        await client.query(
          `INSERT INTO source_changes (version, o_orderkey, change_type, before, after)
           SELECT $1, x.k, x.t, x.b, x.a FROM jsonb_to_recordset($2::jsonb) AS x(k bigint, t text, b jsonb, a jsonb)`,
          [
            version,
            JSON.stringify(
              rows
                .slice(i, i + CHUNK)
                .map((r) => ({ k: r.o_orderkey, t: r.change_type, b: r.before, a: r.after })),
            ),
          ],
        );
      }
      await client.query("UPDATE source_meta SET version = $1, next_index = $2 WHERE id = 1", [
        version,
        meta.nextIndex,
      ]);
      await client.query("COMMIT");
      const at = committed.rows[0]?.committed_at ?? new Date();
      return { version, committed_at: at.toISOString(), rows: rows.length };
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    this.#ready = undefined;
    await pool?.end().catch(() => undefined);
  }

  async #plan(
    client: pg.PoolClient,
    meta: Meta,
    change: SourceChange,
  ): Promise<Omit<ChangeRow, "version">[]> {
    if (change.op === "insert") {
      if (change.rows) {
        const keys = change.rows.map((r) => r.o_orderkey);
        if (new Set(keys).size !== keys.length) throw invalidParameter("rows name a key twice.");
        const existing = await this.#current(client, meta, keys);
        if (existing.size > 0) {
          throw alreadyExists(
            `Source rows with key ${[...existing.keys()].slice(0, 5).join(", ")} already exist.`,
          );
        }
        return change.rows.map((row) => ({
          o_orderkey: row.o_orderkey,
          change_type: "insert",
          before: null,
          after: { ...row },
        }));
      }
      const planned: Omit<ChangeRow, "version">[] = [];
      const count = change.count ?? 0;
      while (planned.length < count) {
        const indexes = Array.from({ length: count - planned.length }, (_, i) => meta.nextIndex + i);
        meta.nextIndex += indexes.length;
        // An explicitly inserted row may hold a key the sequence reaches later: skip it.
        const taken = await this.#current(client, meta, indexes.map(orderKeyForIndex));
        for (const index of indexes) {
          const key = orderKeyForIndex(index);
          if (taken.has(key)) continue;
          planned.push({
            o_orderkey: key,
            change_type: "insert",
            before: null,
            after: { ...generated(meta, index), ...change.set },
          });
        }
      }
      return planned;
    }
    const keys =
      change.keys ?? (await this.#keysInRange(client, meta, change.keyRange ?? { from: 1, to: 0 }));
    const current = await this.#current(client, meta, [...new Set(keys)]);
    if (current.size > MAX_ROWS_PER_COMMIT) {
      throw invalidParameter(
        `The change touches ${current.size} rows; at most ${MAX_ROWS_PER_COMMIT} per call.`,
      );
    }
    if (change.op === "delete") {
      return [...current.values()].map((row) => ({
        o_orderkey: row.o_orderkey,
        change_type: "delete",
        before: row,
        after: null,
      }));
    }
    const set: Partial<ColumnValues> = change.set;
    return [...current.values()].map((row) => ({
      o_orderkey: row.o_orderkey,
      change_type: "update",
      before: row,
      after: { ...row, ...set },
    }));
  }

  /** The current rows of those keys that exist. */
  async #current(client: pg.PoolClient, meta: Meta, keys: number[]): Promise<Map<number, SourceRow>> {
    const found = new Map<number, SourceRow>();
    const changed = new Map<number, SourceRow | null>();
    for (let i = 0; i < keys.length; i += 50_000) {
      const r = await client.query<{ o_orderkey: string; after: SourceRow | null }>(
        `SELECT DISTINCT ON (o_orderkey) o_orderkey, after FROM source_changes
          WHERE o_orderkey = ANY($1::bigint[]) ORDER BY o_orderkey, version DESC`,
        [keys.slice(i, i + 50_000)],
      );
      for (const row of r.rows) changed.set(Number(row.o_orderkey), row.after);
    }
    for (const key of keys) {
      if (changed.has(key)) {
        const row = changed.get(key);
        if (row) found.set(key, row);
        continue;
      }
      const index = baseIndexOf(key, meta.baseRows);
      if (index !== undefined) found.set(key, generated(meta, index));
    }
    return found;
  }

  /** Keys that may exist in [from, to]: the base's and every key ever changed there. */
  async #keysInRange(
    client: pg.PoolClient,
    meta: Meta,
    range: { from: number; to: number },
  ): Promise<number[]> {
    const keys: number[] = [];
    for (let key = range.from; key <= range.to; key++) {
      if (baseIndexOf(key, meta.baseRows) !== undefined) keys.push(key);
      if (keys.length > MAX_ROWS_PER_COMMIT) break;
    }
    const r = await client.query<{ o_orderkey: string }>(
      "SELECT DISTINCT o_orderkey FROM source_changes WHERE o_orderkey BETWEEN $1 AND $2",
      [range.from, range.to],
    );
    for (const row of r.rows) keys.push(Number(row.o_orderkey));
    return keys;
  }

  async #open(): Promise<pg.Pool> {
    this.#ready ??= this.#create().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    await this.#ready;
    if (!this.#pool) throw new Error("lakebase-local: the source is closed");
    return this.#pool;
  }

  async #create(): Promise<void> {
    await this.#cluster.createDatabase(this.database);
    const pool = new pg.Pool({
      connectionString: this.#cluster.url(this.database),
      max: 4,
      idleTimeoutMillis: 10_000,
      application_name: "lakebase-local source",
    });
    // A dropped database (stop) ends idle clients; unheard, that error would end the process.
    pool.on("error", () => undefined);
    await pool.query(`
      CREATE TABLE IF NOT EXISTS source_meta (
        id integer PRIMARY KEY CHECK (id = 1),
        base_rows bigint NOT NULL,
        seed bigint NOT NULL,
        version bigint NOT NULL,
        next_index bigint NOT NULL
      );
      CREATE TABLE IF NOT EXISTS source_commits (
        version bigint PRIMARY KEY,
        committed_at timestamptz NOT NULL,
        operation text NOT NULL,
        rows integer NOT NULL
      );
      CREATE TABLE IF NOT EXISTS source_changes (
        version bigint NOT NULL,
        o_orderkey bigint NOT NULL,
        change_type text NOT NULL,
        before jsonb,
        after jsonb,
        PRIMARY KEY (version, o_orderkey)
      );
      CREATE INDEX IF NOT EXISTS source_changes_by_key ON source_changes (o_orderkey, version);
    `);
    await pool.query(
      `WITH meta AS (
         INSERT INTO source_meta (id, base_rows, seed, version, next_index) VALUES (1, $1, $2, 0, $1)
         ON CONFLICT (id) DO NOTHING RETURNING 1)
       INSERT INTO source_commits (version, committed_at, operation, rows)
       SELECT 0, clock_timestamp(), 'CREATE TABLE', $1 FROM meta`,
      [this.#baseRows, DEFAULT_SEED],
    );
    this.#pool = pool;
  }
}

interface Meta {
  version: number;
  baseRows: number;
  seed: number;
  nextIndex: number;
}

async function lockMeta(client: pg.PoolClient): Promise<Meta> {
  const r = await client.query<{ version: string; base_rows: string; seed: string; next_index: string }>(
    "SELECT version, base_rows, seed, next_index FROM source_meta WHERE id = 1 FOR UPDATE",
  );
  const row = r.rows[0];
  if (!row) throw new Error("lakebase-local: the source has no metadata");
  return {
    version: Number(row.version),
    baseRows: Number(row.base_rows),
    seed: Number(row.seed),
    nextIndex: Number(row.next_index),
  };
}

/** The base index of an order key (the inverse of orderKeyForIndex), if the base holds it. */
export function baseIndexOf(key: number, baseRows: number): number | undefined {
  const offset = (key - 1) % 32;
  if (key < 1 || offset >= 8) return undefined;
  const index = Math.floor((key - 1) / 32) * 8 + offset;
  return index < baseRows ? index : undefined;
}

/** The generated order at an index, sized like the base (its scale factor fixes the value domains). */
function generated(meta: Meta, index: number): SourceRow {
  const [row] = generateOrders({ rows: 1, start: index, totalRows: meta.baseRows, seed: meta.seed });
  return toSourceRow(row as OrderRow);
}

export function toSourceRow(row: OrderRow): SourceRow {
  return {
    o_orderkey: row.orderKey,
    o_custkey: row.custKey,
    o_orderstatus: row.orderStatus,
    o_totalprice: row.totalPrice,
    o_orderdate: row.orderDate,
    o_orderpriority: row.orderPriority,
    o_clerk: row.clerk,
    o_shippriority: row.shipPriority,
    o_comment: row.comment,
  };
}
