import type { Logger } from "@lakebase-orders/log";
import type pg from "pg";
import { isAppIdle } from "../../start/activity.ts";
import { LOCKS, withMaintenanceLock } from "../indexes/maintenance.ts";
import type { SortKeys } from "../indexes/sort-keys.ts";
import type { SyncedTable } from "../tables.ts";
import { feedHead, type OrderChange } from "../writes/change-log.ts";
import { createOverrides } from "../writes/overrides.ts";
import { buildFigures, type RollupFigures, type RollupRow } from "./rollup.ts";
import { loadRollup, readState, readTableMark, rebuildRollup } from "./sql.ts";

/** The rollup's figures and how old they are. */
export interface RollupView {
  figures: RollupFigures;
  /** The figures were exact for the synced table as it was at this time (its last check or rebuild). */
  asOf: Date;
  /** The synced table has changed since `asOf` and a rebuild is under way: the figures lag behind it. */
  stale: boolean;
}

export interface RollupKeeper {
  /** The figures with this process's latest overrides applied; undefined until a rollup exists. */
  view(): Promise<RollupView | undefined>;
  /** Overrides may have changed in ways the feed does not tell: they are reloaded before the next figures. */
  overridesChanged(): void;
  /** A committed status change (from the change feed): applied to the figures in memory, no reload. */
  orderChanged(change: OrderChange): void;
  /** One check now. */
  check(): Promise<void>;
  /** Settles once the first check has run (the figures are loaded then, if the table and a rollup exist). */
  readonly firstCheck: Promise<void>;
  close(): void;
}

export interface RollupKeeperOptions {
  primary: pg.Pool;
  table: SyncedTable;
  logger: Logger;
  /** How often the synced table is checked for changes (its identity and write counters). */
  checkIntervalMs: number;
  /** Rebuilds start at least this long after the previous one (a continuously synced table changes all the time). */
  minRebuildMs: number;
  /** Told of the table's mark at every check: keeps the sorts' keys (indexes or projection) in step. */
  sortKeys?: SortKeys;
  /**
   * The synced table changed since the last check (a sync applied changes, a refresh replaced it): figures
   * kept elsewhere from it (scanned counts, the trend) are no longer fresh.
   */
  onTableChanged?: () => void;
}

/** While another process builds the rollup: how soon to look for its result. */
const RETRY_SOON_MS = 500;

/**
 * How late PostgreSQL's table statistics (the mark's write counters) may show a committed write: a backend that
 * reported less than a second ago holds its counters until it has been idle 10 s (PGSTAT_MIN_INTERVAL and
 * PGSTAT_IDLE_INTERVAL). So a check that sees no change proves only that nothing changed until this long
 * before it; the figures are dated so, never "fresh as of the check".
 */
const STATS_REPORT_LAG_MS = 10_000;

/**
 * Keeps the rollup in step with the synced table. Every process checks the table's mark every interval;
 * when it moved, one process (whoever takes the advisory lock: any worker of any instance) rebuilds the
 * rollup while the others keep serving the old figures marked stale, then every process loads the new one.
 * The overrides are applied in memory and reloaded when they change (at once in the process that changed
 * them and, through the cluster bus, in its sibling workers; within an interval anywhere else).
 * The same check tells the sort keys (indexes/sort-keys.ts) what the table looks like now.
 */
export function createRollupKeeper(options: RollupKeeperOptions): RollupKeeper {
  const { primary, table, logger } = options;
  let rows: RollupRow[] | undefined;
  let builtAt = 0;
  const overrides = createOverrides(primary, table);
  // The overrides' version the figures were built with.
  let figuresOf = -1;
  let overridesMark: string | undefined;
  // The table's signature at the last check (null: it did not exist; undefined: not checked yet).
  let seenSignature: string | null | undefined;
  let figures: RollupFigures | undefined;
  let asOf = new Date(0);
  let stale = false;
  let overridesGeneration = 0;
  let loadedGeneration = -1;
  let reloading: Promise<void> | undefined;
  let checking: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const abort = new AbortController();
  let lastProblem = "";
  let soon = false;

  const rebuild = () => {
    if (!rows) return;
    figuresOf = overrides.version();
    figures = buildFigures(rows, overrides.corrections());
  };

  const reloadOverrides = async () => {
    const generation = overridesGeneration;
    const mark = await feedHead(primary);
    await overrides.load();
    overridesMark = mark;
    rebuild();
    // The trend's months are summed off the request path (tens of milliseconds at 15 M orders).
    const built = figures;
    if (built) setImmediate(() => built.months());
    loadedGeneration = generation;
  };

  const ensureOverrides = (): Promise<void> => {
    reloading ??= reloadOverrides().finally(() => {
      reloading = undefined;
    });
    return reloading;
  };

  /** Loads the rollup `state` describes unless it is the one in memory, then the overrides if they moved. */
  const loadIfNewer = async (state: { builtAt: Date }) => {
    const loaded = state.builtAt.getTime() !== builtAt;
    if (loaded) {
      rows = await loadRollup(primary, table.fullName);
      builtAt = state.builtAt.getTime();
      overridesMark = undefined;
    }
    // The feed's newest change: the overrides follow it change by change, so only news they have not
    // seen (or new rollup rows, whose synced statuses moved) calls for a reload.
    const mark = await feedHead(primary);
    if (!figures || overridesMark === undefined || Number(mark) > overrides.seen()) await ensureOverrides();
    else if (figuresOf !== overrides.version()) rebuild();
    if (loaded)
      logger.info("orders_rollup_loaded", { table: table.fullName, overridesSeq: overrides.seen() });
  };

  const checkOnce = async () => {
    const checkedAt = new Date();
    const mark = await readTableMark(primary, table.sqlName);
    const signature = mark?.signature ?? null;
    if (seenSignature !== undefined && signature !== seenSignature) options.onTableChanged?.();
    seenSignature = signature;
    // Decides where the sorts find their keys; its builds run in the background (minutes on a large table),
    // the rollup does not wait for them.
    await options.sortKeys?.check(mark);
    if (!mark) {
      rows = undefined;
      figures = undefined;
      builtAt = 0;
      return;
    }
    let state = await readState(primary, table.fullName);
    if (state?.signature !== mark.signature) {
      // Both times on the database's clock: the app's may be off by any amount.
      const wait = state ? options.minRebuildMs - state.ageMs : 0;
      if (state && wait > 0) {
        // Changes keep coming (a continuous sync): one full scan per interval at most; until then the
        // last figures, flagged stale.
        await loadIfNewer(state);
        stale = true;
        return;
      }
      stale = figures !== undefined;
      const built = await withMaintenanceLock(
        primary,
        table.fullName,
        LOCKS.rollup,
        (sql) => rebuildRollup(sql, table.sqlName, table.fullName, mark.signature),
        { signal: abort.signal, yieldTo: table.sqlName },
      );
      if (built)
        logger.info("orders_rollup_built", { table: table.fullName, rows: built.rows, ms: built.ms });
      state = await readState(primary, table.fullName);
      // Another process is building it: keep the old figures (flagged stale) until its rollup lands, and
      // look again soon rather than after a whole interval.
      if (state?.signature !== mark.signature) {
        soon = true;
        return;
      }
    }
    await loadIfNewer(state);
    // When it was built, on this process's clock (built_at is its transaction's start: the scan saw everything
    // committed before it). A mark unchanged since proves no change only until the statistics' lag before this
    // check: a write committed later may not be counted yet, so the figures are dated no later than that.
    const built = Date.now() - state.ageMs;
    asOf = new Date(Math.max(built, checkedAt.getTime() - STATS_REPORT_LAG_MS));
    stale = false;
  };

  const check = (): Promise<void> => {
    soon = false;
    checking ??= checkOnce()
      .then(() => {
        lastProblem = "";
      })
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        if (message !== lastProblem) logger.warn("orders_rollup_check_failed", { message });
        lastProblem = message;
      })
      .finally(() => {
        checking = undefined;
      });
    return checking;
  };

  const loop = (): Promise<void> => {
    if (closed || primary.ended) return Promise.resolve();
    // Nobody uses the app: no query, so a scale-to-zero endpoint can suspend (the figures age, and say so).
    return (isAppIdle() ? Promise.resolve() : check()).finally(() => {
      if (closed || primary.ended) return;
      timer = setTimeout(
        loop,
        soon ? Math.min(options.checkIntervalMs, RETRY_SOON_MS) : options.checkIntervalMs,
      );
      timer.unref();
    });
  };
  const firstCheck = new Promise<void>((resolve) => setImmediate(() => loop().then(resolve)));

  return {
    async view() {
      if (!figures) return undefined;
      if (loadedGeneration !== overridesGeneration) await ensureOverrides();
      // A reload that started before the latest change may have missed it: once more.
      if (loadedGeneration !== overridesGeneration) await ensureOverrides();
      if (!figures) return undefined;
      if (figuresOf !== overrides.version()) rebuild();
      // Checks that keep failing make the figures old: say so rather than pass them off as fresh.
      const late = Date.now() - asOf.getTime() > options.checkIntervalMs * 3 + STATS_REPORT_LAG_MS;
      return { figures, asOf, stale: stale || late };
    },
    overridesChanged() {
      overridesGeneration++;
    },
    orderChanged(change) {
      overrides.apply(change);
    },
    check,
    firstCheck,
    close() {
      closed = true;
      abort.abort();
      if (timer) clearTimeout(timer);
    },
  };
}
