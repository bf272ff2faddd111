import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { type LocalPostgres, startLocalPostgres } from "@lakebase-orders/pg-local";
import { INSTANCE_HOST, physicalDatabaseName } from "./compute/addresses.ts";
import { Cluster } from "./compute/cluster.ts";
import { prepareLocalCa } from "./compute/local-ca.ts";
import { type SeedOptions, seed } from "./database-api/seed.ts";
import { Faults } from "./faults.ts";
import type { FrontDoorCounters } from "./front-door/types.ts";
import { Identities } from "./identity/identities.ts";
import { TokenStore } from "./identity/tokens.ts";
import { LakebaseService } from "./lakebase-service.ts";
import { createRestApp } from "./rest/app.ts";
import { closeServer, listen } from "./rest/http-server.ts";
import type { LogEvent, Timings } from "./state/context.ts";
import { emptyState, type LocalState } from "./state/records.ts";
import { StateFile } from "./state/state-file.ts";
import { type SourceControl, sourceControl } from "./sync/source/control.ts";

export interface LakebaseLocalOptions {
  /** Use an existing cluster (its admin URL, database `postgres`); omitted: start an embedded one. */
  postgres?: { adminUrl: string };
  /** Keep the embedded PostgreSQL data (`<dataDir>/pg`) and the resource state here across restarts. */
  dataDir?: string;
  /** 0 or omitted: a free port. */
  restPort?: number;
  /** Default: random. */
  workspaceToken?: string;
  /** Identity (email) behind the workspace token, a workspace admin. Default local-admin@example.com. */
  identity?: string;
  /**
   * OAuth M2M clients (client id/secret). Workspace admins unless `admin: false`, which leaves them only
   * what instance ACLs grant (the creator's CAN_MANAGE, grants through the permissions API).
   */
  servicePrincipals?: { clientId: string; clientSecret: string; admin?: boolean }[];
  /** Lifetime of database credentials and OAuth access tokens. Default 3600. */
  tokenTtlSeconds?: number;
  timings?: Partial<Timings>;
  seed?: SeedOptions;
  /** Rows of `samples.tpch.orders` at its version 0 (its changes come later). Default 150 000. */
  sourceRows?: number;
  /** At most this many source changes per pipeline transaction in incremental updates. Default 10 000. */
  syncBatchRows?: number;
  /** Structured events (never a token or password). Default: dropped. */
  log?: (event: LogEvent) => void;
  /**
   * Refuse unencrypted Postgres logins (FATAL 28000 "connection is insecure"), as Lakebase does. Default
   * false for now: clients that connect without TLS keep working until they verify the CA.
   */
  requireTls?: boolean;
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
  /**
   * The CA that signed every front door's certificate, as a file and as PEM: connect with
   * `sslmode=verify-full` and this CA (`sslrootcert=<caFile>`, or node-postgres `ssl: {ca: caPem}`).
   */
  caFile: string;
  caPem: string;
  /** Whether plain (unencrypted) logins are refused. */
  requireTls: boolean;
  /** Front-door port of the default (seeded) instance, if any. */
  pgPort: number | undefined;
  instanceName: string | undefined;
  databaseName: string | undefined;
  identity: string;
  /**
   * Adds a workspace user (an email) and returns a new personal access token of theirs: a REST bearer for
   * the SDK (`authType: "pat"`) and, like a workspace OAuth token, a Postgres password. Users start with no
   * permission on any instance (except as `admin`); calling it again for the same user adds another token.
   */
  addUser(email: string, options?: { admin?: boolean }): string;
  faults: Faults;
  /**
   * The changing source (`samples.tpch.orders`, like a Delta table with a change data feed): every call is
   * one commit, a new version (`POST /__local/source` does the same from another process).
   */
  source: SourceControl;
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

const DEFAULT_TIMINGS: Timings = {
  instanceStartMs: 2000,
  instanceDeleteMs: 1000,
  pipelineStepMs: 500,
  continuousIntervalMs: 1000,
};

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
    const ca = await prepareLocalCa({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      hosts: [INSTANCE_HOST, "127.0.0.1", "localhost"],
    });
    cleanups.unshift(ca.cleanup);
    const requireTls = options.requireTls ?? false;
    const stateFile = options.dataDir ? new StateFile(options.dataDir) : undefined;
    const loaded: LocalState | undefined = await stateFile?.load();
    const state = loaded ?? emptyState(randomBytes(3).toString("hex"));
    const cluster = new Cluster(adminUrl);
    const tokens = new TokenStore(workspaceToken, identity);
    const identities = new Identities();
    identities.add(identity, "user", { admin: true });
    for (const sp of options.servicePrincipals ?? []) {
      identities.add(sp.clientId, "service_principal", { admin: sp.admin ?? true });
    }
    const addUser = (email: string, user: { admin?: boolean } = {}) => {
      identities.add(email, "user", user);
      log({ event: "user_added", user: email, admin: user.admin ?? false });
      return tokens.personal(email);
    };
    const faults = new Faults();
    const service = new LakebaseService({
      cluster,
      state,
      ...(stateFile ? { stateFile } : {}),
      tokens,
      identities,
      faults,
      timings,
      sourceRows: options.sourceRows ?? 150_000,
      syncBatchRows: options.syncBatchRows ?? 10_000,
      tokenTtlSeconds,
      persistent,
      tls: ca.server,
      requireTls,
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
      identities,
      faults,
      clients,
      addUser,
      tokenTtlSeconds,
      routeCounts,
      counters,
      log,
    });
    const server = await listen(app.fetch, options.restPort ?? 0);
    cleanups.unshift(() => closeServer(server));
    const port = (server.address() as AddressInfo).port;
    const restUrl = `http://127.0.0.1:${port}`;

    const tableCreator = options.seed?.syncedTableCreator;
    if (tableCreator && !identities.kind(tableCreator)) identities.add(tableCreator, "user", { admin: true });
    if (options.seed && !state.seeded) await seed(service, options.seed, identity);
    state.seeded = true;
    await stateFile?.save(state);

    const seededInstance = options.seed?.instanceName;
    let stopping: Promise<void> | undefined;
    const handle: LakebaseLocal = {
      restUrl,
      workspaceToken,
      pgHost: INSTANCE_HOST,
      caFile: ca.caFile,
      caPem: ca.caPem,
      requireTls,
      pgPort: seededInstance ? service.frontDoors.port(seededInstance) : undefined,
      instanceName: seededInstance,
      databaseName: options.seed?.databaseName,
      identity,
      addUser,
      faults,
      source: sourceControl(service.pipelines.source),
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
    log({
      event: "ready",
      restUrl,
      pgPort: handle.pgPort ?? null,
      instance: seededInstance ?? null,
      caFile: ca.caFile,
      requireTls,
    });
    return handle;
  } catch (error) {
    await runCleanups(cleanups);
    throw error;
  }
}

async function runCleanups(cleanups: (() => Promise<void>)[]): Promise<void> {
  for (const cleanup of cleanups) {
    await cleanup().catch(() => undefined);
  }
}
