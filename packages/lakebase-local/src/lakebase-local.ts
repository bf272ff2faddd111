import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { type ServerType, serve } from "@hono/node-server";
import { type LocalPostgres, startLocalPostgres } from "@lakebase-orders/pg-local";
import { Cluster } from "./cluster.ts";
import { Faults } from "./faults.ts";
import type { FrontDoorCounters } from "./front-door/types.ts";
import { physicalDatabaseName } from "./names.ts";
import { createRestApp } from "./rest.ts";
import { LakebaseService, type LogEvent, type Timings } from "./service.ts";
import { SOURCE_TABLE } from "./source.ts";
import { emptyState, type LocalState, StateFile } from "./state.ts";
import { TokenStore } from "./tokens.ts";

export interface SeedOptions {
  instanceName: string;
  catalogName: string;
  databaseName: string;
  /** Full UC name `catalog.schema.table`, or just `schema.table` / `table` inside `catalogName`. */
  syncedTable: string;
  /** Rows of the seeded synced table; default `sourceRows`. */
  rows?: number;
}

export interface LakebaseLocalOptions {
  /** Use an existing cluster (its admin URL, database `postgres`); omitted: start an embedded one. */
  postgres?: { adminUrl: string };
  /** Keep the embedded PostgreSQL data (`<dataDir>/pg`) and the resource state here across restarts. */
  dataDir?: string;
  /** 0 or omitted: a free port. */
  restPort?: number;
  /** Default: random. */
  workspaceToken?: string;
  /** Identity (email) behind the workspace token. Default local-admin@example.com. */
  identity?: string;
  servicePrincipals?: { clientId: string; clientSecret: string }[];
  /** Lifetime of database credentials and OAuth access tokens. Default 3600. */
  tokenTtlSeconds?: number;
  timings?: Partial<Timings>;
  seed?: SeedOptions;
  /** Rows of `samples.tpch.orders`. Default 150 000. */
  sourceRows?: number;
  /** Structured events (never a token or password). Default: dropped. */
  log?: (event: LogEvent) => void;
}

export interface LakebaseCounters {
  /** Calls per route, keyed `METHOD /path/pattern`. */
  routes: Record<string, number>;
  tokensIssued: number;
  frontDoors: Record<string, FrontDoorCounters>;
}

export interface LakebaseLocal {
  restUrl: string;
  workspaceToken: string;
  pgHost: string;
  /** Front-door port of the default (seeded) instance, if any. */
  pgPort: number | undefined;
  instanceName: string | undefined;
  databaseName: string | undefined;
  identity: string;
  faults: Faults;
  counters(): LakebaseCounters;
  /** The front-door port of an instance (stable per name while this LakebaseLocal runs). */
  portOf(instanceName: string): number | undefined;
  /** Resolves when the synced table's running pipeline (if any) has finished. */
  waitForPipeline(syncedTableName: string): Promise<void>;
  /** Physical database of a logical one on the cluster (for tests that inspect it directly). */
  adminUrl: string;
  physicalDatabase(instanceName: string, databaseName: string): string;
  stop(): Promise<void>;
}

const DEFAULT_TIMINGS: Timings = { instanceStartMs: 2000, instanceDeleteMs: 1000, pipelineStepMs: 500 };

export async function startLakebaseLocal(options: LakebaseLocalOptions = {}): Promise<LakebaseLocal> {
  const log = options.log ?? (() => undefined);
  const identity = options.identity ?? "local-admin@example.com";
  const workspaceToken = options.workspaceToken ?? `dapi${randomBytes(16).toString("hex")}`;
  const tokenTtlSeconds = options.tokenTtlSeconds ?? 3600;
  const timings: Timings = { ...DEFAULT_TIMINGS, ...options.timings };
  const persistent = options.dataDir !== undefined;
  const cleanups: (() => Promise<void>)[] = [];

  let ownPostgres: LocalPostgres | undefined;
  let adminUrl = options.postgres?.adminUrl;
  if (!adminUrl) {
    if (options.dataDir) {
      await fs.mkdir(options.dataDir, { recursive: true });
      // As root, PostgreSQL runs as the `postgres` OS user, which must be able to reach <dataDir>/pg.
      if (process.getuid?.() === 0) {
        const mode = (await fs.stat(options.dataDir)).mode;
        await fs.chmod(options.dataDir, mode | 0o111).catch(() => undefined);
      }
    }
    ownPostgres = await startLocalPostgres(
      options.dataDir ? { dataDir: path.join(options.dataDir, "pg") } : { fast: true },
    );
    adminUrl = ownPostgres.url("postgres");
    cleanups.push(() => ownPostgres?.stop() ?? Promise.resolve());
  }

  try {
    const stateFile = options.dataDir ? new StateFile(options.dataDir) : undefined;
    const loaded: LocalState | undefined = await stateFile?.load();
    const state = loaded ?? emptyState(randomBytes(3).toString("hex"));
    const cluster = new Cluster(adminUrl);
    const tokens = new TokenStore(workspaceToken, identity);
    const faults = new Faults();
    const service = new LakebaseService({
      cluster,
      state,
      ...(stateFile ? { stateFile } : {}),
      tokens,
      faults,
      timings,
      sourceRows: options.sourceRows ?? 150_000,
      tokenTtlSeconds,
      persistent,
      log,
    });
    cleanups.unshift(() => service.stop());
    await service.restore();

    const routeCounts = new Map<string, number>();
    const counters = (): LakebaseCounters => ({
      routes: Object.fromEntries(routeCounts),
      tokensIssued: tokens.issuedCount,
      frontDoors: service.frontDoors.counters(),
    });
    const clients = new Map((options.servicePrincipals ?? []).map((sp) => [sp.clientId, sp.clientSecret]));
    const app = createRestApp({
      service,
      tokens,
      faults,
      clients,
      tokenTtlSeconds,
      routeCounts,
      counters,
      log,
    });
    const server = await listen(app.fetch, options.restPort ?? 0);
    cleanups.unshift(() => closeServer(server));
    const port = (server.address() as AddressInfo).port;
    const restUrl = `http://127.0.0.1:${port}`;

    if (options.seed && !state.seeded) await seed(service, options.seed, identity, options.sourceRows);
    state.seeded = true;
    await stateFile?.save(state);

    const seededInstance = options.seed?.instanceName;
    let stopping: Promise<void> | undefined;
    const handle: LakebaseLocal = {
      restUrl,
      workspaceToken,
      pgHost: "127.0.0.1",
      pgPort: seededInstance ? service.frontDoors.port(seededInstance) : undefined,
      instanceName: seededInstance,
      databaseName: options.seed?.databaseName,
      identity,
      faults,
      counters,
      portOf: (name) => service.frontDoors.port(name),
      waitForPipeline: (name) => service.waitForPipeline(name),
      adminUrl,
      physicalDatabase: (instance, database) => physicalDatabaseName(state.localId, instance, database),
      stop: () => {
        stopping ??= runCleanups(cleanups);
        return stopping;
      },
    };
    log({ event: "ready", restUrl, pgPort: handle.pgPort ?? null, instance: seededInstance ?? null });
    return handle;
  } catch (error) {
    await runCleanups(cleanups);
    throw error;
  }
}

async function seed(
  service: LakebaseService,
  s: SeedOptions,
  creator: string,
  sourceRows: number | undefined,
) {
  const state = service.state;
  if (!state.instances[s.instanceName]) {
    await service.instances.create({ name: s.instanceName, capacity: "CU_1" }, creator, { available: true });
  }
  if (!state.catalogs[s.catalogName]) {
    await service.catalogs.create({
      name: s.catalogName,
      database_instance_name: s.instanceName,
      database_name: s.databaseName,
      create_database_if_not_exists: true,
    });
  }
  const parts = s.syncedTable.split(".");
  const fullName =
    parts.length === 3
      ? s.syncedTable
      : parts.length === 2
        ? `${s.catalogName}.${s.syncedTable}`
        : `${s.catalogName}.public.${s.syncedTable}`;
  if (!state.syncedTables[fullName]) {
    await service.syncedTables.create(
      {
        name: fullName,
        spec: {
          source_table_full_name: SOURCE_TABLE,
          primary_key_columns: ["o_orderkey"],
          scheduling_policy: "SNAPSHOT",
          new_pipeline_spec: { storage_catalog: s.catalogName, storage_schema: "default" },
        },
      },
      s.rows ?? sourceRows,
    );
    await service.waitForPipeline(fullName);
    const status = service.syncedTables.get(fullName).data_synchronization_status;
    if (status.detailed_state !== "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE") {
      throw new Error(`lakebase-local: seeding ${fullName} failed: ${status.message}`);
    }
  }
}

function listen(
  fetch: (request: Request) => Response | Promise<Response>,
  port: number,
): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port, hostname: "127.0.0.1" }, () => resolve(server));
    server.once("error", reject);
  });
}

function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive sockets of SDK clients would hold the port open otherwise.
    if ("closeAllConnections" in server) server.closeAllConnections();
  });
}

async function runCleanups(cleanups: (() => Promise<void>)[]): Promise<void> {
  for (const cleanup of cleanups) {
    await cleanup().catch(() => undefined);
  }
}
