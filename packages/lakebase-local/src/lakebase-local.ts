import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { type LocalPostgres, startLocalPostgres } from "@lakebase-orders/pg-local";
import { INSTANCE_HOST, physicalDatabaseName, READ_ONLY_HOST } from "./compute/addresses.ts";
import { Cluster } from "./compute/cluster.ts";
import type { ComputeCounters } from "./compute/endpoint-computes.ts";
import { prepareLocalCa } from "./compute/local-ca.ts";
import { type SeedOptions, seed, syncedTableName } from "./database-api/seed.ts";
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

/** What a new workspace creates (`autoscaling`, since March 2026) or the classic instances. */
export type LakebaseFlavor = "autoscaling" | "provisioned";

export interface LakebaseLocalOptions {
  /**
   * `autoscaling` (default): the seed is a project (id = the seed's instance name) whose production branch's
   * primary endpoint holds the seeded database and synced table, also reachable through the `database` API
   * under its instance name. `provisioned`: the seed is a database instance, as before projects existed.
   * Both APIs answer in both flavours.
   */
  flavor?: LakebaseFlavor;
  /**
   * Scale to zero after this many ms without queries (tests: below the real 60 s minimum). The default
   * project's primary endpoint gets this suspend timeout, and every endpoint with a suspend timeout uses it
   * instead of its own. Omitted: the default project never suspends; endpoints use their own timeouts.
   */
  suspendAfterMs?: number;
  /** Added to the real start of a suspended endpoint when a connection wakes it. Default 200. */
  wakeDelayMs?: number;
  /** Apply delay of every hot standby (readable secondaries, read-only endpoints). Default 0. */
  replicaDelayMs?: number;
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
  /** Per instance or endpoint name (a project also under its instance name: its primary endpoint's). */
  frontDoors: Record<string, FrontDoorCounters>;
  /** Scale to zero per endpoint name. */
  computes: Record<string, ComputeCounters & { state: "ACTIVE" | "IDLE" }>;
  /** Totals of every endpoint's suspensions and wakes. */
  suspensions: number;
  wakes: number;
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
  /** Front-door port of the default (seeded) instance, if any (a project: its primary endpoint's). */
  pgPort: number | undefined;
  instanceName: string | undefined;
  databaseName: string | undefined;
  identity: string;
  flavor: LakebaseFlavor;
  /** This workspace's id (what SCIM Me sends in `x-databricks-org-id`). */
  workspaceId: string;
  /** The default project's resource names (`projects/p`, `.../branches/production`, `.../endpoints/primary`). */
  projectName: string | undefined;
  branchName: string | undefined;
  endpointName: string | undefined;
  /** Front-door port of the default project's primary endpoint (the same as pgPort). */
  endpointPort: number | undefined;
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
  /**
   * The front-door port of an instance, a project named as an instance, or an endpoint
   * (`projects/p/branches/b/endpoints/e`); stable per name while this LakebaseLocal runs.
   */
  portOf(name: string): number | undefined;
  /** Resolves when the synced table's running pipeline (if any) has finished. */
  waitForPipeline(syncedTableName: string): Promise<void>;
  /**
   * Replica lag on demand: sets the apply delay of every hot standby (the instances' readable secondary,
   * read-only endpoints), now and for those started later (also `POST /__local/replica {apply_delay_ms}`).
   */
  setReplicaDelay(ms: number): Promise<void>;
  /**
   * Fails the instances' cluster over to its readable secondary, for real (sessions end with 57P01, the
   * standby is promoted and serves every instance on the same ports); also `POST /__local/replica/failover`.
   * Needs the local Lakebase's own cluster and no data dir.
   */
  failover(): Promise<void>;
  /**
   * Superuser URL of the cluster holding the default (seeded) database: the default project's production
   * branch in the autoscaling flavour, the instances' cluster otherwise (or without a seed).
   */
  adminUrl: string;
  /** Superuser URL (database `postgres`) of a branch's cluster, started if needed. */
  branchAdminUrl(branch: string): Promise<string>;
  /** Physical database of a logical one on the cluster (for tests that inspect it directly). */
  physicalDatabase(instanceName: string, databaseName: string): string;
  stop(): Promise<void>;
}

const DEFAULT_TIMINGS: Timings = {
  instanceStartMs: 2000,
  instanceDeleteMs: 1000,
  pipelineStepMs: 500,
  continuousIntervalMs: 1000,
};
const DEFAULT_WAKE_DELAY_MS = 200;

export async function startLakebaseLocal(options: LakebaseLocalOptions = {}): Promise<LakebaseLocal> {
  const log = options.log ?? (() => undefined);
  const identity = options.identity ?? "local-admin@example.com";
  const workspaceToken = options.workspaceToken ?? `dapi${randomBytes(16).toString("hex")}`;
  const tokenTtlSeconds = options.tokenTtlSeconds ?? 3600;
  const timings: Timings = { ...DEFAULT_TIMINGS, ...options.timings };
  const persistent = options.dataDir !== undefined;
  const cleanups: (() => Promise<void>)[] = [];

  const flavor = options.flavor ?? "autoscaling";
  let ownPostgres: LocalPostgres | undefined;
  let cluster: Cluster;
  if (options.postgres?.adminUrl) {
    cluster = new Cluster(options.postgres.adminUrl);
  } else {
    if (options.dataDir) {
      await fs.mkdir(options.dataDir, { recursive: true });
      // As root, PostgreSQL runs as the `postgres` OS user, which must be able to reach <dataDir>/pg.
      if (process.getuid?.() === 0) {
        const mode = (await fs.stat(options.dataDir)).mode;
        await fs.chmod(options.dataDir, mode | 0o111).catch(() => undefined);
      }
    }
    const dataDir = options.dataDir;
    cluster = new Cluster(async () => {
      ownPostgres = await startLocalPostgres(
        dataDir
          ? { dataDir: path.join(dataDir, "pg"), replication: true }
          : { fast: true, replication: true },
      );
      return ownPostgres.url("postgres");
    });
    cleanups.push(() => ownPostgres?.stop() ?? Promise.resolve());
    // The instances' own cluster: at once for the Provisioned flavour, else with the first instance.
    if (flavor === "provisioned") await cluster.ready();
  }

  try {
    const ca = await prepareLocalCa({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      hosts: [INSTANCE_HOST, "127.0.0.1", READ_ONLY_HOST, "localhost"],
    });
    cleanups.unshift(ca.cleanup);
    const requireTls = options.requireTls ?? false;
    const stateFile = options.dataDir ? new StateFile(options.dataDir) : undefined;
    const loaded: LocalState | undefined = await stateFile?.load();
    const state = loaded ?? emptyState(randomBytes(3).toString("hex"));
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
      computes: {
        branchesDir: options.dataDir ? path.join(options.dataDir, "branches") : undefined,
        suspendAfterMs: options.suspendAfterMs,
        wakeDelayMs: options.wakeDelayMs ?? DEFAULT_WAKE_DELAY_MS,
        replicaDelayMs: options.replicaDelayMs ?? 0,
        instanceCluster: options.postgres?.adminUrl ? undefined : () => ownPostgres,
      },
    });
    cleanups.unshift(() => service.stop());
    await service.restore();

    const routeCounts = new Map<string, number>();
    const { aliases } = service.postgres;
    const counters = (): LakebaseCounters => {
      const frontDoors = service.frontDoors.counters();
      for (const id of aliases.names()) {
        const primary = aliases.primary(aliases.find(id)!);
        const door = primary && frontDoors[primary.name];
        if (door) frontDoors[id] = door;
      }
      const computes = service.postgres.computes.counters();
      const sum = (key: "suspensions" | "wakes") =>
        Object.values(computes).reduce((total, c) => total + c[key], 0);
      return {
        routes: Object.fromEntries(routeCounts),
        tokensIssued: tokens.issuedCount,
        frontDoors,
        computes,
        suspensions: sum("suspensions"),
        wakes: sum("wakes"),
      };
    };
    const clients = new Map((options.servicePrincipals ?? []).map((sp) => [sp.clientId, sp.clientSecret]));
    // A stable workspace id (16 digits, as Databricks' are) derived from this local Lakebase's own id.
    const workspaceId = String(
      1_000_000_000_000_000n +
        (BigInt(`0x${createHash("sha256").update(state.localId).digest("hex").slice(0, 14)}`) %
          9_000_000_000_000_000n),
    );
    const app = createRestApp({
      workspaceId,
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
    if (options.seed && !state.seeded) {
      if (flavor === "provisioned") await seed(service, options.seed, identity);
      else {
        await service.postgres.seed(
          {
            projectId: options.seed.instanceName,
            catalogName: options.seed.catalogName,
            databaseName: options.seed.databaseName,
            syncedTable: syncedTableName(options.seed),
            schedulingPolicy: options.seed.schedulingPolicy ?? "SNAPSHOT",
            syncedTableCreator: tableCreator ?? identity,
          },
          identity,
        );
      }
    }
    state.seeded = true;
    await stateFile?.save(state);

    const seededInstance = options.seed?.instanceName;
    const seededProject = seededInstance ? aliases.find(seededInstance) : undefined;
    const primary = seededProject ? aliases.primary(seededProject) : undefined;
    const portOf = (name: string) =>
      name.startsWith("projects/")
        ? service.frontDoors.port(name)
        : (aliases.portOf(name) ?? service.frontDoors.port(name));
    const branchAdminUrl = async (branch: string) =>
      (await service.postgres.clusters.of(branch).running()).pg.url("postgres");
    const seededAdminUrl = primary ? await branchAdminUrl(primary.parent) : undefined;
    let stopping: Promise<void> | undefined;
    const handle: LakebaseLocal = {
      restUrl,
      workspaceToken,
      pgHost: INSTANCE_HOST,
      caFile: ca.caFile,
      caPem: ca.caPem,
      requireTls,
      pgPort: seededInstance ? portOf(seededInstance) : undefined,
      instanceName: seededInstance,
      databaseName: options.seed?.databaseName,
      identity,
      flavor,
      workspaceId,
      projectName: seededProject?.name,
      branchName: primary?.parent,
      endpointName: primary?.name,
      endpointPort: primary ? portOf(primary.name) : undefined,
      addUser,
      faults,
      source: sourceControl(service.pipelines.source),
      counters,
      portOf,
      setReplicaDelay: (ms) => service.setReplicaDelay(ms),
      failover: () => service.failover(),
      // One pipeline registry for both flavours' synced tables.
      waitForPipeline: (name) => service.waitForPipeline(name),
      get adminUrl() {
        return seededAdminUrl ?? cluster.adminUrl;
      },
      branchAdminUrl,
      // A project's databases are real databases of its branch cluster, under their own names.
      physicalDatabase: (instance, database) =>
        aliases.find(instance) ? database : physicalDatabaseName(state.localId, instance, database),
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
      flavor,
      endpoint: handle.endpointName ?? null,
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
