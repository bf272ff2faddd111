import type { Logger } from "@lakebase-orders/log";
import type pg from "pg";
import type { TableMark } from "../rollup/sql.ts";
import type { SyncedTable } from "../tables.ts";
import { buildMissingIndexes, indexStatement, readIndexState } from "./indexes.ts";
import {
  LOCKS,
  MaintenanceAborted,
  type MaintenanceOptions,
  type MaintenanceSql,
  MaintenanceYielded,
  withMaintenanceLock,
} from "./maintenance.ts";
import {
  buildProjection,
  catchUpProjection,
  clearProjection,
  PROJECTION,
  readProjectionState,
} from "./projection.ts";

/**
 * How the app makes its sorts fast (ORDERS_SORT_KEYS):
 * - `auto`: the synced table's own indexes when it has them (asked of the pipeline at create, built by its
 *   creator or an operator, or by the app where it may); else the app's projection;
 * - `table`: the synced table's indexes only (built by the app where it may; else the sorts scan);
 * - `projection`: always the projection, whatever the synced table has;
 * - `off`: neither: the sorts scan the synced table.
 */
export type SortKeysMode = "auto" | "table" | "projection" | "off";

/** Where the sorts find their keys. */
export type SortKeysSource = "table" | "projection" | "scan";

export interface SortKeysStatus {
  source: SortKeysSource;
  /** Why, in words (the `orders_sort_keys` log line says it whenever it changes). */
  reason: string;
  /**
   * The keys are in step with the synced table as last checked: its own indexes always are; the projection
   * once it has caught up with the table's latest change.
   */
  current: boolean;
}

export interface SortKeysOptions {
  /** The primary's pool (the maintenance session, catalog reads). */
  pool: pg.Pool;
  table: SyncedTable;
  logger: Logger;
  mode: SortKeysMode;
  /** Whether the app may try to build indexes on the synced table itself (ORDERS_INDEXES). */
  buildTableIndexes: boolean;
  /** The rollup keeper's check interval: how soon a change or a busy lock is looked at again. */
  checkIntervalMs: number;
}

export interface SortKeys {
  /** The table each page's keys are found in: the synced table, or the projection. */
  keysTable(): string;
  status(): SortKeysStatus;
  /**
   * After each look at the synced table's mark (the rollup keeper's check): decides where the sorts find
   * their keys and starts, in the background, whatever that needs (an index build, a projection build or
   * catch-up). Never throws.
   */
  check(mark: TableMark | null): Promise<void>;
  /** Settles when no background job runs (tests). */
  idle(): Promise<void>;
  /** Stops: a running job's session ends at once (an index build is left for the next holder to redo). */
  close(): void;
}

/** Once the synced table has the indexes, the projection is emptied after this long (every process has moved). */
const CLEAR_AFTER_CHECKS = 3;

/**
 * Keeps the sorts fast with the privileges the app has. Databricks makes the pipeline's role the synced
 * table's owner and lets its creator index it; an app whose service principal did not create it only reads
 * it (42501 on CREATE INDEX). So, at every check: the table's own indexes are used when present; where the
 * app may build them, it does (CONCURRENTLY, one session of all processes at a time, valid or not built at
 * all: a failed, yielded or interrupted build is redone at a later check); otherwise the app keeps its own
 * projection of the sort columns (projection.ts) and the sorts read their keys from it. Every job runs in the
 * background under an advisory lock: a busy lock means another process is on it, and the next check looks
 * again; a job steps aside for a session that waits on the synced table because of it (maintenance.ts).
 */
export function createSortKeys(options: SortKeysOptions): SortKeys {
  const { pool, table, logger, mode } = options;
  let status: SortKeysStatus = { source: "scan", reason: "not checked yet", current: false };
  let job: Promise<void> | undefined;
  let closed = false;
  const abort = new AbortController();
  /** The relation on which the app was refused (42501): not tried again until the table is replaced. */
  let refusedOn: string | undefined;
  let remedyLoggedFor: string | undefined;
  let tableIndexedSince: number | undefined;
  let nextCatchUpAt = 0;
  let lastFailure = "";

  const set = (next: SortKeysStatus) => {
    if (next.source !== status.source || next.reason !== status.reason) {
      logger.info("orders_sort_keys", {
        table: table.fullName,
        source: next.source,
        reason: next.reason,
        keysTable: next.source === "projection" ? PROJECTION : table.sqlName,
      });
    }
    status = next;
  };

  const run = (name: string, lock: number, work: (sql: MaintenanceSql) => Promise<void>) => {
    const maintenance: MaintenanceOptions = { signal: abort.signal, yieldTo: table.sqlName };
    job = withMaintenanceLock(pool, table.fullName, lock, work, maintenance)
      .then((done) => {
        // Undefined: another session holds the lock (another process is on it); the next check looks again.
        if (done === undefined) logger.debug("orders_sort_keys_busy", { job: name });
        lastFailure = "";
      })
      .catch((error: unknown) => {
        if (error instanceof MaintenanceAborted) return;
        if (error instanceof MaintenanceYielded) {
          logger.info("orders_maintenance_yielded", { job: name, table: table.fullName });
          return;
        }
        const message = error instanceof Error ? error.message : String(error);
        if (message !== lastFailure) logger.warn("orders_sort_keys_job_failed", { job: name, message });
        lastFailure = message;
      })
      .finally(() => {
        job = undefined;
      });
  };

  const remedy = (relation: string, missing: readonly string[], why: string) => {
    if (remedyLoggedFor === relation) return;
    remedyLoggedFor = relation;
    // For the project owner: what the table's creator (or the pipeline, via extra_index_definitions) can build
    // once, after which the app uses the table's own indexes.
    for (const statement of missing)
      logger.warn("orders_index_unavailable", { table: table.fullName, reason: why, remedy: statement });
  };

  const decide = async (mark: TableMark) => {
    if (mode === "off") {
      set({ source: "scan", reason: "ORDERS_SORT_KEYS=off", current: true });
      return;
    }
    const indexes = await readIndexState(pool, table);
    if (!indexes) return;
    if (mode !== "projection" && indexes.missing.length === 0) {
      set({ source: "table", reason: "the synced table has the sorts' indexes", current: true });
      tableIndexedSince ??= Date.now();
      // The projection is no longer needed: emptied once every process has had time to see the indexes.
      if (
        mode === "auto" &&
        !job &&
        Date.now() - tableIndexedSince > CLEAR_AFTER_CHECKS * options.checkIntervalMs &&
        (await readProjectionState(pool, table.fullName))
      ) {
        run("projection-clear", LOCKS.projection, async (sql) => {
          await clearProjection(sql);
          logger.info("orders_projection_cleared", { table: table.fullName });
        });
      }
      return;
    }
    tableIndexedSince = undefined;
    const projection = mode === "table" ? null : await readProjectionState(pool, table.fullName);
    const current = projection?.signature === mark.signature;
    const missing = indexes.missing.map((i) => indexStatement(table, i));
    const mayBuild =
      mode !== "projection" && options.buildTableIndexes && indexes.mayIndex && refusedOn !== mark.relation;
    if (mayBuild) {
      // The app owns the table (or holds its owner's privileges): the table's own indexes, built here.
      // A projection left from before (the app could not index then) serves meanwhile while it is current.
      set(
        projection && current && mode === "auto"
          ? { source: "projection", reason: "building the sorts' indexes on the synced table", current }
          : { source: "scan", reason: "building the sorts' indexes on the synced table", current: true },
      );
      if (job) return;
      run("indexes", LOCKS.indexes, async (sql) => {
        const report = await buildMissingIndexes(sql, table, logger);
        if (report.refused) {
          refusedOn = mark.relation;
          remedy(mark.relation, missing, report.refused.message);
        }
      });
      return;
    }
    const why = !options.buildTableIndexes
      ? "ORDERS_INDEXES=off"
      : refusedOn === mark.relation
        ? "the synced table refused the app's index builds (42501)"
        : "the app may not index the synced table (not its owner)";
    if (mode === "table") {
      remedy(mark.relation, missing, why);
      set({
        source: "scan",
        reason: `${why}; ${indexes.missing.length} sort index(es) missing`,
        current: true,
      });
      return;
    }
    if (mode === "auto") remedy(mark.relation, missing, why);
    const reason =
      mode === "projection" ? "ORDERS_SORT_KEYS=projection" : `${why}: the app's projection of the sort keys`;
    set(projection ? { source: "projection", reason, current } : { source: "scan", reason, current: true });
    if (job || current || Date.now() < nextCatchUpAt) return;
    if (!projection) {
      run("projection-build", LOCKS.projection, async (sql) => {
        // Another process may have built it while this one waited for the lock.
        if (await readProjectionState(sql, table.fullName)) return;
        const built = await buildProjection(sql, table, mark);
        logger.info("orders_projection_built", { table: table.fullName, rows: built.rows, ms: built.ms });
        // Used from now on, not from the next check: the first sorts after a build need not scan.
        if (!closed) set({ source: "projection", reason, current: true });
      });
      return;
    }
    run("projection-catch-up", LOCKS.projection, async (sql) => {
      const state = await readProjectionState(sql, table.fullName);
      if (!state) return;
      if (state.signature === mark.signature) return;
      const done = await catchUpProjection(sql, table, state, mark);
      // At most half of the time catching up: a continuously synced table changes all the time.
      nextCatchUpAt = Date.now() + done.ms;
      logger.info("orders_projection_caught_up", { table: table.fullName, ...done });
    });
  };

  return {
    keysTable: () => (status.source === "projection" ? PROJECTION : table.sqlName),
    status: () => status,
    async check(mark) {
      if (closed) return;
      if (!mark) {
        set({ source: "scan", reason: "the synced table does not exist", current: true });
        return;
      }
      try {
        await decide(mark);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (message !== lastFailure) logger.warn("orders_sort_keys_check_failed", { message });
        lastFailure = message;
      }
    },
    idle: async () => {
      while (job) await job;
    },
    close() {
      closed = true;
      abort.abort();
    },
  };
}
