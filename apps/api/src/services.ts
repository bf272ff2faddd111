import type { WorkspaceClient } from "@databricks/sdk-experimental";
import type { AppConfig } from "@lakebase-orders/config";
import { createDbFromConfig, type Db, migratePool } from "@lakebase-orders/db";
import { createWorkspaceClient } from "@lakebase-orders/lakebase-auth";
import { createLogger, type Logger, serializeError } from "@lakebase-orders/log";
import { createLakebaseAdmin, type LakebaseAdminOptions } from "./lakebase/admin.ts";
import { type AuditWriter, createAuditWriter } from "./lakebase/audit.ts";
import { LakebaseApi } from "./lakebase/databricks.ts";
import type { LakebaseAdmin } from "./lakebase/types.ts";
import { type DataAvailability, tableAvailability } from "./orders/availability.ts";
import { createOrdersStore } from "./orders/orders-store.ts";
import { createRecentWriters, type RecentWriters } from "./orders/recent-writers.ts";
import type { OrdersStore } from "./orders/store.ts";
import { syncedTable } from "./orders/synced-table.ts";
import { disabledTelemetry, startTelemetry, type Telemetry } from "./telemetry/index.ts";

/** Long-lived things the app is built from: one set per process, built once, shared by every request. */
export interface AppServices {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly db: Db;
  readonly orders: OrdersStore;
  /** Callers who changed an order lately read from the primary (see recent-writers.ts). */
  readonly recentWriters: RecentWriters;
  /** Whether the synced orders table can be read; the reason reaches the client verbatim. */
  readonly availability: () => Promise<DataAvailability>;
  readonly lakebase: LakebaseAdmin;
  /** The one admin audit writer of the process (its retry queue lives as long as the process). */
  readonly audit: AuditWriter;
  /** Traces, metrics and log correlation (off unless an OTLP endpoint is configured). */
  readonly telemetry: Telemetry;
  /** Applies the app's SQL migrations (at start-up, and once the admin has created a new database). */
  migrate(): Promise<void>;
  /** Stops background work, then closes the pools it opened (not a `db` it was given). */
  close(): Promise<void>;
}

export interface ServiceOptions {
  logger?: Logger;
  /** Default: built from `config.databricks` when a workspace is configured. */
  workspaceClient?: WorkspaceClient;
  /** Tuning of the Lakebase admin's polling (tests use short intervals). */
  lakebase?: Pick<LakebaseAdminOptions, "pollIntervalMs" | "statusCacheMs" | "stepTimeoutMs">;
  /** What runs once the admin's new database is ONLINE; default: `migrate()`. */
  onProvisioned?: () => Promise<void>;
  /**
   * The process's telemetry (the caller shuts it down). Default: createServices starts one from
   * `config.telemetry` and shuts it down on close; buildServices uses none.
   */
  telemetry?: Telemetry;
}

// Long enough for a Lakebase readable secondary to replay a status change; short enough to spare the primary.
const READ_YOUR_WRITES_MS = 10_000;

/** The composition root: builds every service from the configuration, once. */
export async function createServices(config: AppConfig, options: ServiceOptions = {}): Promise<AppServices> {
  const ownsTelemetry = options.telemetry === undefined;
  const telemetry =
    options.telemetry ??
    (await startTelemetry(config.telemetry, options.logger ? { logger: options.logger } : {}));
  const logger =
    options.logger ??
    createLogger({
      level: config.server.logLevel,
      ...(telemetry.logContext && { context: telemetry.logContext }),
    });
  const db = await createDbFromConfig(config, {
    logger,
    instrumentPool: telemetry.instrumentPool,
    ...(options.workspaceClient && { workspaceClient: options.workspaceClient }),
  });
  const services = buildServices(config, db, { ...options, logger, telemetry, ownsDb: true });
  if (!ownsTelemetry) return services;
  return {
    ...services,
    async close() {
      await services.close();
      await telemetry.shutdown();
    },
  };
}

/** The same over a database the caller opened (and will close): tests, and tools with their own pool. */
export function buildServices(
  config: AppConfig,
  db: Db,
  options: ServiceOptions & { ownsDb?: boolean } = {},
): AppServices {
  const logger = options.logger ?? createLogger({ level: config.server.logLevel });
  const telemetry = options.telemetry ?? disabledTelemetry;
  telemetry.observe({ db });
  const table = syncedTable(config.lakebase.syncedTable);
  const orders = createOrdersStore({
    prisma: db.prisma,
    read: db.read,
    table,
    countCacheTtlSeconds: config.orders.countCacheTtlSeconds,
  });
  const audit = createAuditWriter(db.prisma, logger);
  const migrate = async () => {
    const result = await migratePool(db.pool, {
      ...(config.database.migrationsDir ? { migrationsDir: config.database.migrationsDir } : {}),
      log: (event) => logger.info("migration", event),
    });
    logger.info("migrations applied", {
      applied: result.applied,
      alreadyApplied: result.alreadyApplied.length,
    });
  };
  const workspace =
    options.workspaceClient ?? (config.databricks ? createWorkspaceClient(config.databricks) : undefined);
  const lakebase = createLakebaseAdmin({
    names: config.lakebase,
    api: config.databricks && workspace ? new LakebaseApi(workspace) : null,
    logger,
    ...options.lakebase,
    onProvisioned: options.onProvisioned ?? migrate,
    onOperationFinished: (op, detail) =>
      audit({
        actor: op.actor,
        action: `lakebase.${op.kind}.finished`,
        outcome: op.outcome === "succeeded" ? "succeeded" : "failed",
        detail: { operation: op, result: detail },
      }),
  });
  const tableCheck = tableAvailability(db.prisma, table);
  return {
    config,
    logger,
    db,
    orders,
    recentWriters: createRecentWriters(READ_YOUR_WRITES_MS),
    availability: lakebase.configured ? lakebase.availability(tableCheck) : tableCheck,
    lakebase,
    audit,
    telemetry,
    migrate,
    async close() {
      await lakebase.close();
      if (options.ownsDb) {
        // Leaves room inside the 10 s the process allows itself after SIGTERM.
        await db
          .disconnect(1500)
          .catch((error) => logger.warn("pool close failed", { error: serializeError(error) }));
      }
    },
  };
}
