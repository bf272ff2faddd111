import type { WorkspaceClient } from "@databricks/sdk-experimental";
import type { AppConfig } from "@lakebase-orders/config";
import { createDbFromConfig, type Db, migratePool, openSession } from "@lakebase-orders/db";
import { DatabaseApi, PostgresApi } from "@lakebase-orders/lakebase-api";
import { createWorkspaceClient } from "@lakebase-orders/lakebase-auth";
import { createLogger, type Logger, serializeError } from "@lakebase-orders/log";
import { createChangeBus } from "../cluster/bus.ts";
import { workerReadiness } from "../cluster/readiness.ts";
import { processRole } from "../cluster/roles.ts";
import { unavailable } from "../errors/domain-error.ts";
import { createLakebaseAdmin, type LakebaseAdminOptions } from "../lakebase/admin/admin.ts";
import type { LakebaseAdmin } from "../lakebase/admin/types.ts";
import { userApiFactory, userPostgresApiFactory } from "../lakebase/admin/user-api.ts";
import { type AuditWriter, type AuditWriterOptions, createAuditWriter } from "../lakebase/audit/audit.ts";
import { createAutoscalingAdmin } from "../lakebase/autoscaling/admin.ts";
import { rideThroughWakes } from "../lakebase/autoscaling/wake.ts";
import { createOperationJournal } from "../lakebase/operations/journal.ts";
import { describeDbProblem } from "../orders/db-errors.ts";
import { createUserReads, type UserReads } from "../orders/reads/as-user.ts";
import { type DataAvailability, tableAvailability } from "../orders/reads/availability.ts";
import { createOrdersStore } from "../orders/store.ts";
import { syncedTable } from "../orders/tables.ts";
import { createTrend, type Trend } from "../orders/trend.ts";
import type { OrdersStore } from "../orders/types.ts";
import { type ChangeFeed, createChangeFeed } from "../orders/writes/change-feed.ts";
import { WAL_POSITION_SQL } from "../orders/writes/change-log.ts";
import { createRecentWriters, type RecentWriters } from "../orders/writes/recent-writers.ts";
import { createReplicaPosition } from "../orders/writes/replica-position.ts";
import { disabledTelemetry, type Telemetry } from "../telemetry/index.ts";
import { createViewsService, type ViewsService } from "../views/views-service.ts";
import { type Activity, appActivity } from "./activity.ts";
import { createDatabaseReadiness, type DatabaseReadiness } from "./database-readiness.ts";

/** Long-lived things the app is built from: one set per process, built once, shared by every request. */
export interface AppServices {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly db: Db;
  readonly orders: OrdersStore;
  /** Orders and revenue per month (orders.trend), cached like the stats. */
  readonly trend: Trend;
  /** Saved views of the orders screen, per user. */
  readonly views: ViewsService;
  /** Callers who changed an order lately read from the primary (see orders/writes/recent-writers.ts). */
  readonly recentWriters: RecentWriters;
  /** Reads as the signed-in user (ORDERS_READ_AS_USER=on), else null: every read runs as the app. */
  readonly userReads: UserReads | null;
  /** Every committed status change, whoever made it (orders/writes/change-feed.ts). */
  readonly changes: ChangeFeed;
  /** When a user last asked anything: background work waits while nobody does (start/activity.ts). */
  readonly activity: Activity;
  /**
   * Whether the synced orders table can be read; the reason reaches the client verbatim. Throws
   * SERVICE_UNAVAILABLE (with the reason) while the database is not ready.
   */
  readonly availability: () => Promise<DataAvailability>;
  readonly lakebase: LakebaseAdmin;
  /** The one admin audit writer of the process (its retry queue lives as long as the process). */
  readonly audit: AuditWriter;
  /** Traces, metrics and log correlation (off unless an OTLP endpoint is configured). */
  readonly telemetry: Telemetry;
  /** Whether the database answers and is migrated; brought about in the background (see `start`). */
  readonly readiness: DatabaseReadiness;
  /** Applies the app's SQL migrations now (once the admin has created a new database). */
  migrate(): Promise<void>;
  /** Background work of a server: reach and migrate the database, resume interrupted operations. */
  start(): void;
  /**
   * Stops background work, lets Lakebase work in flight finish and writes the audit entries still kept,
   * within `budgetMs` in all (default 3 s; what Lakebase work is left then is its lease's to resume), then
   * closes the pools it opened (not a `db` it was given).
   */
  close(budgetMs?: number): Promise<void>;
}

export interface ServiceOptions {
  /** The process's logger, built by `run`. Default (tests, tools): one at the configured level. */
  logger?: Logger;
  /** Default: built from `config.databricks` when a workspace is configured (one per process). */
  workspaceClient?: WorkspaceClient;
  /** Tuning of the Lakebase admin (tests use short intervals); defaults come from the configuration. */
  lakebase?: Pick<
    LakebaseAdminOptions,
    "pollIntervalMs" | "settledPollIntervalMs" | "statusCacheMs" | "stepTimeoutMs" | "leaseSeconds"
  >;
  /** What runs once the admin's new database is ONLINE; default: `migrate()`, then the kept audit rows. */
  onProvisioned?: () => Promise<void>;
  /** The process's telemetry, started by `run` (which shuts it down). Default: none. */
  telemetry?: Telemetry;
  /** Retries of kept audit entries (tests use short ones). */
  audit?: AuditWriterOptions;
  /** First pause between attempts to reach the database (default 250 ms; the cap is configured). */
  readinessBaseDelayMs?: number;
}

// Closing the services after the last request (server.ts gives in-flight requests 7 s before this): the
// audit's and the pools' shares are kept back from Lakebase work in flight.
const CLOSE_BUDGET_MS = 3000;
const AUDIT_SHARE_MS = 750;
const POOL_SHARE_MS = 750;

/** Whether `work` settled within `ms` (it is not stopped otherwise: its owner was told to stop). */
async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    work.then(
      () => true,
      () => true,
    ),
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]);
  clearTimeout(timer);
  return settled;
}

// How long a request waits for a starting worker's first attempt to reach the database (a cold start
// takes a few hundred milliseconds; a database that does not answer fails the attempt at the connect timeout).
const FIRST_ATTEMPT_WAIT_MS = 3000;
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
// How long readiness waits for the readable secondary to replay the migrations (it lags by seconds at most).
const REPLICA_MIGRATIONS_WAIT_MS = 30_000;

// Read-your-writes where the secondary cannot say how far it has replayed (it is not a hot standby): long
// enough for a Lakebase readable secondary to replay a status change; short enough to spare the primary.
const READ_YOUR_WRITES_MS = 10_000;
// The author under which every change is also marked: "has the secondary replayed the latest change?"
const ANY_WRITER = "\u0000any";

/**
 * The composition root: builds every service from the configuration, once. Nothing here needs the database
 * to answer: the server listens first, and `start()` reaches and migrates it in the background.
 */
export async function createServices(config: AppConfig, options: ServiceOptions = {}): Promise<AppServices> {
  const logger = options.logger ?? createLogger({ level: config.server.logLevel });
  const telemetry = options.telemetry ?? disabledTelemetry;
  // One client of the workspace per process: the database's tokens and the Lakebase admin's calls.
  const workspaceClient =
    options.workspaceClient ?? (config.databricks ? createWorkspaceClient(config.databricks) : undefined);
  const worker = processRole(config.server.workers);
  const db = await createDbFromConfig(config, {
    logger,
    // pg_stat_activity says which worker holds a connection.
    ...(worker.kind === "worker" && { pool: { applicationName: `lakebase-orders worker ${worker.id}` } }),
    instrumentPool: (pool, role) => {
      telemetry.instrumentPool(pool, role);
      // Autoscaling computes scale to zero: a connection that meets one going down or coming up tries again.
      if (config.lakebase.target.flavour === "autoscaling") rideThroughWakes(pool, { logger });
    },
    ...(workspaceClient && { workspaceClient }),
  });
  return buildServices(config, db, {
    ...options,
    logger,
    telemetry,
    ...(workspaceClient && { workspaceClient }),
    ownsDb: true,
    migrated: false,
  });
}

/** The same over a database the caller opened (and will close): tests, and tools with their own pool. */
export function buildServices(
  config: AppConfig,
  db: Db,
  options: ServiceOptions & {
    logger: Logger;
    ownsDb?: boolean;
    /** The caller migrated the database already (default true here; a server's `start()` does it). */
    migrated?: boolean;
  },
): AppServices {
  const { logger } = options;
  const telemetry = options.telemetry ?? disabledTelemetry;
  telemetry.observe({ db });
  const table = syncedTable(config.lakebase.syncedTable);
  const bus = createChangeBus();
  const activity = appActivity();
  // Building the app is its owner's doing: background work may start.
  activity.touch();
  const recentWriters = createRecentWriters(
    READ_YOUR_WRITES_MS,
    Date.now,
    db.readPool ? createReplicaPosition(db.readPool) : undefined,
  );
  const changes = createChangeFeed({
    connect: () => openSession(db.pool, `${db.config.applicationName} changes`),
    catchUpVia: db.pool,
    logger,
    bus,
  });
  changes.onWriter((actor, position) => {
    for (const who of [actor, ANY_WRITER]) {
      if (position === "pending") recentWriters.pending(who);
      else recentWriters.wrote(who, position === "unknown" ? undefined : position.lsn);
    }
  });
  const replicaBehind = () => recentWriters.isRecent(ANY_WRITER);
  // A session that ended while the app was idle (the endpoint suspended) reopens with the next request.
  const stopWaking = activity.onRequest(() => changes.wake());
  const trend = createTrend({
    // Kept for everyone like the counts: from the primary while the secondary lags behind a change.
    get read() {
      return replicaBehind() ? db.prisma : db.read;
    },
    table,
    ttlSeconds: config.orders.countCacheTtlSeconds,
    months: () => orders.months(),
    rollupCheckSeconds: config.orders.rollupCheckSeconds,
  });
  // Changes not told one by one (the feed's first look, a gap): their authors and positions are unknown, so
  // figures kept for everyone are read from the primary for the time window, as after an unplaced change, and
  // the trend is computed again (the store reloads what it keeps itself).
  changes.onResync(() => {
    recentWriters.wrote(ANY_WRITER);
    trend.changed();
  });
  const orders = createOrdersStore({
    db,
    table,
    logger,
    changes,
    replicaBehind,
    onChanged: () => trend.changed(),
    onTableChanged: () => trend.changed(),
    countCacheTtlSeconds: config.orders.countCacheTtlSeconds,
    rollupCheckSeconds: config.orders.rollupCheckSeconds,
    rollupMinRebuildSeconds: config.orders.rollupMinRebuildSeconds,
    maintainIndexes: config.orders.maintainIndexes,
    sortKeys: config.orders.sortKeys,
  });
  const userReads = createUserReads(config, db, logger);
  const audit = createAuditWriter(db.prisma, logger, options.audit);
  const applyMigrations = async () => {
    const result = await migratePool(db.pool, {
      ...(config.database.migrationsDir ? { migrationsDir: config.database.migrationsDir } : {}),
      lockTimeoutMs: config.database.migrationLockTimeoutSeconds * 1000,
      log: (event) => logger.info("migration", event),
    });
    logger.info("migrations applied", {
      applied: result.applied,
      alreadyApplied: result.alreadyApplied.length,
    });
    await replicaHasMigrations();
  };
  // A readable secondary that has not replayed the migrations yet lacks the app's tables: a read there fails
  // (42P01, a 500). Ready waits until it has, within a bound; a secondary that is unreachable (reads fall back
  // to the primary) or not a hot standby (it cannot say) is not waited for.
  const replicaHasMigrations = async () => {
    const readPool = db.readPool;
    if (!readPool) return;
    const { rows } = await db.pool.query<{ lsn: string }>(`SELECT ${WAL_POSITION_SQL} AS lsn`);
    const until = Date.now() + REPLICA_MIGRATIONS_WAIT_MS;
    for (;;) {
      const replayed = await readPool
        .query<{ done: boolean | null }>("SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done", [
          rows[0]?.lsn,
        ])
        .then((r) => r.rows[0]?.done ?? null)
        .catch(() => null);
      if (replayed !== false) return;
      if (Date.now() > until) {
        logger.warn("read_replica_behind_migrations", { waitedMs: REPLICA_MIGRATIONS_WAIT_MS });
        return;
      }
      await delay(100);
    }
  };
  const readiness = createDatabaseReadiness({
    migrate: applyMigrations,
    logger,
    maxDelayMs: config.database.startupRetryMaxSeconds * 1000,
    ...(options.readinessBaseDelayMs !== undefined ? { baseDelayMs: options.readinessBaseDelayMs } : {}),
    describe: describeDbProblem,
    initiallyReady: options.migrated ?? true,
    siblings: workerReadiness(),
    onReady: () => {
      void audit.flush();
      void lakebase.recover();
      changes.wake();
    },
  });
  const migrate = () => readiness.migrateNow();
  const workspace =
    options.workspaceClient ?? (config.databricks ? createWorkspaceClient(config.databricks) : undefined);
  const apiOptions = { timeoutMs: (config.databricks?.timeoutSeconds ?? 30) * 1000 };
  const adminOptions: Omit<LakebaseAdminOptions, "api" | "userApi"> = {
    names: config.lakebase,
    logger,
    pollIntervalMs: config.lakebaseAdmin.statusPollSeconds * 1000,
    settledPollIntervalMs: config.lakebaseAdmin.settledPollSeconds * 1000,
    leaseSeconds: config.lakebaseAdmin.operationLeaseSeconds,
    ...options.lakebase,
    journal: createOperationJournal(db.pool, {
      leaseSeconds: options.lakebase?.leaseSeconds ?? config.lakebaseAdmin.operationLeaseSeconds,
    }),
    databaseReady: () => readiness.local().ready,
    onProvisioned:
      options.onProvisioned ??
      (async () => {
        await migrate();
        // The rows a delete and this create kept while their database could not take them.
        await audit.flush();
      }),
    onOperationFinished: (op, detail) =>
      audit({
        actor: op.actor,
        action: `lakebase.${op.kind}.finished`,
        outcome: op.outcome === "succeeded" ? "succeeded" : "failed",
        detail: { operation: op, result: detail },
      }),
    onOperationResumed: (op, detail) =>
      audit({
        actor: op.actor,
        action: `lakebase.${op.kind}.resumed`,
        outcome: "accepted",
        detail: { operation: op, ...(detail as object) },
      }),
    // A started instance answers from now on: try the database now rather than after the current pause.
    onInstanceAvailable: () => readiness.kick(),
  };
  // The one place the flavour is picked (config.lakebase.target): the admin of the configured Lakebase.
  const target = config.lakebase.target;
  const ws = config.databricks && workspace ? { config: config.databricks, client: workspace } : null;
  let lakebase: LakebaseAdmin;
  if (target.flavour === "autoscaling") {
    const userApi = ws ? userPostgresApiFactory(ws.config, apiOptions) : undefined;
    lakebase = createAutoscalingAdmin({
      ...adminOptions,
      target,
      api: ws ? new PostgresApi(ws.client, apiOptions) : null,
      ...(userApi && { userApi }),
    });
  } else {
    const userApi = ws ? userApiFactory(ws.config, apiOptions) : undefined;
    lakebase = createLakebaseAdmin({
      ...adminOptions,
      api: ws ? new DatabaseApi(ws.client, apiOptions) : null,
      ...(userApi && { userApi }),
    });
  }
  const tableCheck = tableAvailability(db.prisma, table);
  const dataAvailability = lakebase.configured ? lakebase.availability(tableCheck) : tableCheck;
  return {
    config,
    logger,
    db,
    orders,
    trend,
    views: createViewsService(db.prisma),
    recentWriters,
    userReads,
    changes,
    activity,
    availability: async () => {
      let state = readiness.local();
      if (!state.ready && state.attempts === 0) {
        // The first attempt to reach the database is under way (this worker has just started): a request that
        // arrives now waits for its outcome, briefly, rather than fail a moment before it could be served.
        await Promise.race([readiness.firstOutcome(), delay(FIRST_ATTEMPT_WAIT_MS)]);
        state = readiness.local();
      }
      if (!state.ready) {
        throw unavailable(
          `Orders are not available yet: ${state.reason ?? "the database is not ready"}; the app keeps trying and will serve them as soon as it answers.`,
        );
      }
      // Changes made elsewhere while this process was not listening are applied before any figure is read.
      await changes.current();
      return dataAvailability();
    },
    lakebase,
    audit,
    telemetry,
    readiness,
    migrate,
    start() {
      readiness.start();
      void lakebase.recover();
    },
    async close(budgetMs = CLOSE_BUDGET_MS) {
      const ends = Date.now() + budgetMs;
      const left = (keep = 0) => Math.max(0, ends - Date.now() - keep);
      stopWaking();
      readiness.close();
      orders.close();
      await changes.close();
      // An operation's step in flight (a Databricks call) gets what is left after the audit's and the
      // pools' shares; one still running then is abandoned to its lease (this or another process resumes
      // it), rather than keep the process past the platform's deadline.
      if (!(await within(lakebase.close(), left(AUDIT_SHARE_MS + POOL_SHARE_MS)))) {
        logger.warn("shutdown: Lakebase work still running was left to its lease");
      }
      // The entries still kept (their database did not take them yet) are written now if it can.
      if (!(await within(audit.flush(), left(POOL_SHARE_MS))) || audit.pending() > 0) {
        logger.warn("shutdown: admin audit entries not written", { pending: audit.pending() });
      }
      audit.close();
      if (userReads && !(await within(userReads.close(), left(POOL_SHARE_MS)))) {
        logger.warn("shutdown: user connections still closing");
      }
      if (options.ownsDb) {
        await db
          .disconnect(Math.max(250, left()))
          .catch((error) => logger.warn("pool close failed", { error: serializeError(error) }));
      }
    },
  };
}
