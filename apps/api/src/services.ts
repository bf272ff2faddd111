import type { WorkspaceClient } from "@databricks/sdk-experimental";
import type { AppConfig } from "@lakebase-orders/config";
import { createDbFromConfig, type Db, migratePool } from "@lakebase-orders/db";
import { createWorkspaceClient } from "@lakebase-orders/lakebase-auth";
import { createLogger, type Logger, serializeError } from "@lakebase-orders/log";
import { createChangeBus } from "./cluster/bus.ts";
import { createLakebaseAdmin, type LakebaseAdminOptions } from "./lakebase/admin.ts";
import { type AuditWriter, createAuditWriter } from "./lakebase/audit.ts";
import { LakebaseApi } from "./lakebase/databricks.ts";
import type { LakebaseAdmin } from "./lakebase/types.ts";
import { type DataAvailability, tableAvailability } from "./orders/availability.ts";
import { createOrdersStore } from "./orders/orders-store.ts";
import { createRecentWriters, type RecentWriters } from "./orders/recent-writers.ts";
import { sharedRecentWriters } from "./orders/shared-recent-writers.ts";
import type { OrdersStore } from "./orders/store.ts";
import { syncedTable } from "./orders/synced-table.ts";

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
}

// Long enough for a Lakebase readable secondary to replay a status change; short enough to spare the primary.
const READ_YOUR_WRITES_MS = 10_000;

/** The composition root: builds every service from the configuration, once. */
export async function createServices(config: AppConfig, options: ServiceOptions = {}): Promise<AppServices> {
  const logger = options.logger ?? createLogger({ level: config.server.logLevel });
  const db = await createDbFromConfig(config, {
    logger,
    ...(options.workspaceClient && { workspaceClient: options.workspaceClient }),
  });
  return buildServices(config, db, { ...options, logger, ownsDb: true });
}

/** The same over a database the caller opened (and will close): tests, and tools with their own pool. */
export function buildServices(
  config: AppConfig,
  db: Db,
  options: ServiceOptions & { ownsDb?: boolean } = {},
): AppServices {
  const logger = options.logger ?? createLogger({ level: config.server.logLevel });
  const table = syncedTable(config.lakebase.syncedTable);
  const bus = createChangeBus();
  const orders = createOrdersStore({
    db,
    table,
    logger,
    bus,
    countCacheTtlSeconds: config.orders.countCacheTtlSeconds,
    rollupCheckSeconds: config.orders.rollupCheckSeconds,
    rollupMinRebuildSeconds: config.orders.rollupMinRebuildSeconds,
    maintainIndexes: config.orders.maintainIndexes,
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
    recentWriters: sharedRecentWriters(createRecentWriters(READ_YOUR_WRITES_MS), bus),
    availability: lakebase.configured ? lakebase.availability(tableCheck) : tableCheck,
    lakebase,
    audit,
    migrate,
    async close() {
      orders.close();
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
