import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import type { DataAvailability } from "../context.ts";
import type { Logger } from "../log.ts";
import type { LakebaseConfig } from "./config.ts";
import type { LakebaseApi } from "./databricks.ts";
import { describeFailure, isApiError, isUnavailable, toTrpcError } from "./errors.ts";
import { createPoller, type Poller } from "./poller.ts";
import {
  catalogStatus,
  describeProgress,
  instanceStatus,
  isOnline,
  isSyncFailed,
  type ResourceSnapshot,
  syncedTableStatus,
} from "./status.ts";

export type ResourceKind = "instance" | "catalog" | "syncedTable";

export interface CreateInput {
  capacity: "CU_1" | "CU_2" | "CU_4" | "CU_8";
  nodeCount: number;
  enableReadableSecondaries?: boolean;
  retentionWindowInDays?: number;
}

export interface CreateResult {
  operationId: string;
  resources: {
    resource: ResourceKind;
    name: string;
    outcome: "created" | "existing";
    inBackground: boolean;
  }[];
}

export interface DeleteStep {
  resource: ResourceKind;
  name: string;
  /** `skipped`: not attempted because an earlier step failed (the later resources still exist). */
  outcome: "deleted" | "not_found" | "failed" | "skipped";
  error?: string;
  databricks?: { errorCode: string; statusCode: number };
}

export interface DeleteResult {
  operationId: string;
  steps: DeleteStep[];
  pipelineId: string | null;
  note: string;
}

export interface OperationView {
  id: string;
  kind: "create" | "delete" | "stop" | "start";
  actor: string;
  startedAt: string;
  finishedAt: string | null;
  /** What it is doing now, e.g. "waiting for the instance to be AVAILABLE". */
  step: string;
  outcome: "running" | "succeeded" | "failed";
  error: string | null;
}

export interface LakebaseStatus extends ResourceSnapshot {
  configured: boolean;
  /** The resource names (who the admins are is not for every user to see). */
  config: Omit<LakebaseConfig, "configured" | "admins">;
  /** The running operation, else the last one (so a failure in the background stays visible). */
  operation: OperationView | null;
  fetchedAt: string;
}

export interface LakebaseServiceOptions {
  config: LakebaseConfig;
  /** null when Databricks is not configured. */
  api: LakebaseApi | null;
  logger: Logger;
  /** Interval of the shared status poller and of every wait (default 2000 ms). */
  pollIntervalMs?: number;
  /** How long a status snapshot serves availability checks and status queries (default 3000 ms). */
  statusCacheMs?: number;
  /** Deadline of each wait for a resource to appear or go away (default 20 min). */
  stepTimeoutMs?: number;
  /**
   * Runs once the synced table is ONLINE, before the create counts as done: the app's own tables
   * (app_data migrations) must exist in a database that did not exist when the server started.
   */
  onProvisioned?: () => Promise<void>;
  /** Called after each finished background operation (the audit row of the outcome). */
  onOperationFinished?: (op: OperationView, detail: unknown) => Promise<void>;
}

export const NOT_CONFIGURED = "Databricks is not configured";

/**
 * Lifecycle of the three Lakebase resources. One operation at a time per process (create, delete, stop,
 * start); create returns after its first call and provisions in the background, visible through status.
 */
export class LakebaseService {
  readonly config: LakebaseConfig;
  readonly #api: LakebaseApi | null;
  readonly #log: Logger;
  readonly #interval: number;
  readonly #cacheMs: number;
  readonly #stepTimeout: number;
  readonly #onFinished: LakebaseServiceOptions["onOperationFinished"];
  readonly #onProvisioned: LakebaseServiceOptions["onProvisioned"];
  #operation: OperationView | null = null;
  #lastOperation: OperationView | null = null;
  #background: Promise<void> | null = null;
  #cached: { value: ResourceSnapshot; at: number } | null = null;
  #pending: Promise<ResourceSnapshot> | null = null;
  #stopped = false;
  readonly poller: Poller<LakebaseStatus>;

  constructor(options: LakebaseServiceOptions) {
    this.config = options.config;
    this.#api = options.config.configured ? options.api : null;
    this.#log = options.logger.child({ component: "lakebase" });
    this.#interval = options.pollIntervalMs ?? 2000;
    this.#cacheMs = options.statusCacheMs ?? 3000;
    this.#stepTimeout = options.stepTimeoutMs ?? 20 * 60_000;
    this.#onFinished = options.onOperationFinished;
    this.#onProvisioned = options.onProvisioned;
    this.poller = createPoller({
      intervalMs: this.#interval,
      fetch: () => this.status({ maxAgeMs: 0 }),
      // Volatile fields would make every poll look like a change.
      fingerprint: (s) => JSON.stringify({ ...s, fetchedAt: undefined }),
      settled: (s) => this.#isSettled(s),
      logger: this.#log,
    });
  }

  get configured(): boolean {
    return this.#api !== null;
  }

  get operation(): OperationView | null {
    return this.#operation;
  }

  isAdmin(email: string | null | undefined): boolean {
    return Boolean(email && this.config.admins.includes(email.trim().toLowerCase()));
  }

  /** Status of the three resources (a snapshot at most `maxAgeMs` old) plus the running operation. */
  async status(options: { maxAgeMs?: number } = {}): Promise<LakebaseStatus> {
    const c = this.config;
    const base = {
      configured: this.configured,
      config: {
        instanceName: c.instanceName,
        catalogName: c.catalogName,
        databaseName: c.databaseName,
        syncedTable: c.syncedTable,
        sourceTable: c.sourceTable,
        storageCatalog: c.storageCatalog,
        storageSchema: c.storageSchema,
      },
    };
    const snapshot = this.configured
      ? await this.#snapshot(options.maxAgeMs ?? this.#cacheMs)
      : { instance: null, catalog: null, syncedTable: null };
    return {
      ...base,
      ...snapshot,
      operation: this.#operation ?? this.#lastOperation,
      fetchedAt: new Date(this.#cached?.at ?? Date.now()).toISOString(),
    };
  }

  /**
   * For the orders router: whether the synced table can be read, from the cached status (Databricks is
   * asked at most once per cache period, not per request). `fallback` (e.g. "the table exists in
   * Postgres") answers when Databricks is not configured or cannot be reached.
   */
  availability(fallback?: () => Promise<DataAvailability>): () => Promise<DataAvailability> {
    return () => this.#availability(fallback);
  }

  async #availability(fallback: (() => Promise<DataAvailability>) | undefined): Promise<DataAvailability> {
    if (!this.configured) {
      return fallback ? fallback() : { available: true };
    }
    let snapshot: ResourceSnapshot;
    try {
      snapshot = await this.#snapshot(this.#cacheMs);
    } catch (error) {
      // Databricks unreachable says nothing about Postgres: let the table decide if we can.
      this.#log.warn("lakebase status unavailable for the availability check", { error });
      if (fallback) return fallback();
      return {
        available: false,
        reason: `Cannot tell whether the orders data is ready: ${describeFailure(error).message}`,
      };
    }
    const t = snapshot.syncedTable;
    if (isOnline(t)) {
      // ONLINE, but the app's own tables may not be migrated into the new database yet.
      if (this.#operation?.kind === "create" && this.#operation.step.startsWith("preparing")) {
        return {
          available: false,
          reason: "Orders data is synced; the app's own tables are being prepared.",
        };
      }
      return { available: true };
    }
    if (!snapshot.instance) {
      return {
        available: false,
        reason: `Orders data is not available: the Lakebase instance ${this.config.instanceName} does not exist (an admin can create it).`,
      };
    }
    if (!t) {
      return {
        available: false,
        reason: `Orders data is not available: the synced table ${this.config.syncedTable} does not exist (an admin can create it).`,
      };
    }
    if (isSyncFailed(t)) {
      return {
        available: false,
        reason: `Orders data is not available: the sync of ${t.name} failed (${t.detailedState ?? t.state}${t.message ? `: ${t.message}` : ""}).`,
      };
    }
    return { available: false, reason: `Orders data is still syncing (${describeProgress(t.progress)}).` };
  }

  /** Validates and takes the operation lock, then does the first calls; the rest continues in the background. */
  async create(input: CreateInput, actor: string): Promise<CreateResult> {
    const api = this.#requireApi();
    const op = this.#begin("create", actor);
    const c = this.config;
    try {
      this.#setStep(op, "checking which resources exist");
      const [instance, catalog, table] = await Promise.all([
        api.getInstance(c.instanceName),
        api.getCatalog(c.catalogName),
        api.getSyncedTable(c.syncedTable),
      ]);
      let instanceOutcome: "created" | "existing" = "existing";
      if (!instance) {
        this.#setStep(op, "creating the instance");
        instanceOutcome = await createdOrExisting(() =>
          api.createInstance({
            name: c.instanceName,
            capacity: input.capacity,
            node_count: input.nodeCount,
            ...(input.enableReadableSecondaries !== undefined
              ? { enable_readable_secondaries: input.enableReadableSecondaries }
              : {}),
            ...(input.retentionWindowInDays !== undefined
              ? { retention_window_in_days: input.retentionWindowInDays }
              : {}),
          }),
        );
      }
      this.#invalidate();
      const result: CreateResult = {
        operationId: op.id,
        resources: [
          { resource: "instance", name: c.instanceName, outcome: instanceOutcome, inBackground: false },
          {
            resource: "catalog",
            name: c.catalogName,
            outcome: catalog ? "existing" : "created",
            inBackground: !catalog,
          },
          {
            resource: "syncedTable",
            name: c.syncedTable,
            outcome: table ? "existing" : "created",
            inBackground: !table,
          },
        ],
      };
      this.#background = this.#provision(api, op, result).finally(() => {
        this.#background = null;
      });
      this.poller.kick();
      return result;
    } catch (error) {
      this.#finish(op, error);
      throw toTrpcError(error, "create failed");
    }
  }

  async #provision(api: LakebaseApi, op: OperationView, result: CreateResult): Promise<void> {
    const c = this.config;
    let failure: unknown;
    try {
      this.#setStep(op, "waiting for the instance to be AVAILABLE");
      await this.#waitFor("the instance to be AVAILABLE", async () => {
        const i = await api.getInstance(c.instanceName);
        if (!i) throw new Error(`the instance ${c.instanceName} disappeared while it was being created`);
        if (i.state === "STOPPED" || i.stopped) {
          throw new Error(`the instance ${c.instanceName} is stopped: start it, then create again`);
        }
        return i.state === "AVAILABLE";
      });
      if (result.resources[1]?.inBackground) {
        this.#setStep(op, "creating the database catalog");
        const outcome = await createdOrExisting(() =>
          api.createCatalog({
            name: c.catalogName,
            database_instance_name: c.instanceName,
            database_name: c.databaseName,
            create_database_if_not_exists: true,
          }),
        );
        if (outcome === "existing" && result.resources[1]) result.resources[1].outcome = "existing";
      }
      this.#setStep(op, "waiting for the catalog");
      await this.#waitFor("the catalog to exist", async () => (await api.getCatalog(c.catalogName)) !== null);
      if (result.resources[2]?.inBackground) {
        this.#setStep(op, "creating the synced table");
        await createdOrExisting(() =>
          api.createSyncedTable({
            name: c.syncedTable,
            database_instance_name: c.instanceName,
            logical_database_name: c.databaseName,
            spec: {
              source_table_full_name: c.sourceTable,
              primary_key_columns: ["o_orderkey"],
              scheduling_policy: "SNAPSHOT",
              create_database_objects_if_missing: true,
              new_pipeline_spec: { storage_catalog: c.storageCatalog, storage_schema: c.storageSchema },
            },
          }),
        );
      }
      this.#setStep(op, "waiting for the synced table to be ONLINE");
      await this.#waitFor("the synced table to be ONLINE", async () => {
        const raw = await api.getSyncedTable(c.syncedTable);
        if (!raw) throw new Error(`the synced table ${c.syncedTable} disappeared while it was being created`);
        const t = syncedTableStatus(raw);
        if (isSyncFailed(t))
          throw new Error(
            `the sync failed: ${t.detailedState ?? t.state}${t.message ? `: ${t.message}` : ""}`,
          );
        return isOnline(t);
      });
      if (this.#onProvisioned) {
        this.#setStep(op, "preparing the app's own tables in the new database");
        await this.#onProvisioned();
      }
    } catch (error) {
      failure = error;
    }
    this.#finish(op, failure, result);
  }

  /** Deletes synced table → catalog → instance, each after the previous one is gone. Blocks until done. */
  async delete(actor: string): Promise<DeleteResult> {
    const api = this.#requireApi();
    const op = this.#begin("delete", actor);
    const c = this.config;
    const steps: DeleteStep[] = [];
    let pipelineId: string | null = null;
    let failed = false;
    const run = async (
      resource: ResourceKind,
      name: string,
      work: () => Promise<"deleted" | "not_found">,
    ) => {
      if (failed) {
        steps.push({ resource, name, outcome: "skipped", error: "not attempted: an earlier step failed" });
        return;
      }
      try {
        steps.push({ resource, name, outcome: await work() });
      } catch (error) {
        failed = true;
        const f = describeFailure(error);
        steps.push({
          resource,
          name,
          outcome: "failed",
          error: f.message,
          ...(f.databricks ? { databricks: f.databricks } : {}),
        });
      }
      this.#invalidate();
    };
    await run("syncedTable", c.syncedTable, async () => {
      this.#setStep(op, "deleting the synced table");
      const t = await api.getSyncedTable(c.syncedTable);
      if (!t) return "not_found";
      pipelineId = t.data_synchronization_status?.pipeline_id ?? null;
      if (!(await deleteOrNotFound(() => api.deleteSyncedTable(c.syncedTable)))) return "not_found";
      this.#setStep(op, "waiting for the synced table to be gone");
      await this.#waitFor(
        "the synced table to be gone",
        async () => (await api.getSyncedTable(c.syncedTable)) === null,
      );
      return "deleted";
    });
    await run("catalog", c.catalogName, async () => {
      this.#setStep(op, "deleting the database catalog");
      if (!(await deleteOrNotFound(() => api.deleteCatalog(c.catalogName)))) return "not_found";
      this.#setStep(op, "waiting for the catalog to be gone");
      await this.#waitFor(
        "the catalog to be gone",
        async () => (await api.getCatalog(c.catalogName)) === null,
      );
      return "deleted";
    });
    await run("instance", c.instanceName, async () => {
      this.#setStep(op, "deleting the instance");
      if (!(await deleteOrNotFound(() => api.deleteInstance(c.instanceName)))) return "not_found";
      this.#setStep(op, "waiting for the instance to be gone");
      await this.#waitFor(
        "the instance to be gone",
        async () => (await api.getInstance(c.instanceName)) === null,
      );
      return "deleted";
    });
    const failedStep = steps.find((s) => s.outcome === "failed");
    const result: DeleteResult = {
      operationId: op.id,
      steps,
      pipelineId,
      note: pipelineId
        ? `The sync pipeline ${pipelineId} may need manual cleanup on Databricks (Pipelines UI, or databricks pipelines delete ${pipelineId}).`
        : "No sync pipeline was found; if one was created earlier it may need manual cleanup on Databricks.",
    };
    this.#finish(
      op,
      failedStep ? new Error(`${failedStep.resource} ${failedStep.name}: ${failedStep.error}`) : undefined,
      result,
    );
    return result;
  }

  /** Stops (true) or starts (false) the instance. */
  async setStopped(
    stopped: boolean,
    actor: string,
  ): Promise<{ instance: ReturnType<typeof instanceStatus> }> {
    const api = this.#requireApi();
    const op = this.#begin(stopped ? "stop" : "start", actor);
    try {
      this.#setStep(op, stopped ? "stopping the instance" : "starting the instance");
      const updated = await api.setStopped(this.config.instanceName, stopped);
      this.#invalidate();
      this.#finish(op, undefined);
      this.poller.kick();
      return { instance: instanceStatus(updated) };
    } catch (error) {
      this.#finish(op, error);
      throw toTrpcError(error, stopped ? "stop failed" : "start failed");
    }
  }

  /** Resolves when the background provisioning (if any) has ended; for tests and shutdown. */
  async idle(): Promise<void> {
    await this.#background;
  }

  async close(): Promise<void> {
    this.#stopped = true;
    this.poller.close();
    await this.#background?.catch(() => undefined);
  }

  #requireApi(): LakebaseApi {
    if (!this.#api) throw new TRPCError({ code: "PRECONDITION_FAILED", message: NOT_CONFIGURED });
    return this.#api;
  }

  // Synchronous from the check to the assignment: two requests racing cannot both pass.
  #begin(kind: OperationView["kind"], actor: string): OperationView {
    const running = this.#operation;
    if (running) {
      throw new TRPCError({
        code: "CONFLICT",
        message: `A ${running.kind} of the Lakebase resources is already running (started by ${running.actor} at ${running.startedAt}); try again when it has finished.`,
      });
    }
    const op: OperationView = {
      id: randomUUID(),
      kind,
      actor,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      step: "starting",
      outcome: "running",
      error: null,
    };
    this.#operation = op;
    this.#log.info("lakebase operation started", { operationId: op.id, kind, actor });
    return op;
  }

  #setStep(op: OperationView, step: string): void {
    op.step = step;
    this.poller.kick();
  }

  #finish(op: OperationView, error: unknown, detail?: unknown): void {
    op.finishedAt = new Date().toISOString();
    op.outcome = error === undefined ? "succeeded" : "failed";
    op.error = error === undefined ? null : describeFailure(error).message;
    op.step = error === undefined ? "done" : `failed while ${op.step}`;
    if (this.#operation === op) this.#operation = null;
    this.#lastOperation = op;
    this.#invalidate();
    this.poller.kick();
    const log = error === undefined ? this.#log.info : this.#log.warn;
    log("lakebase operation finished", {
      operationId: op.id,
      kind: op.kind,
      outcome: op.outcome,
      error: op.error,
    });
    // Only the background part of a create: its request's audit row said "accepted", the outcome is here.
    if (op.kind === "create" && detail !== undefined && this.#onFinished) {
      this.#onFinished({ ...op }, detail).catch((e: unknown) =>
        this.#log.error("operation hook failed", { error: e }),
      );
    }
  }

  async #waitFor(what: string, done: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + this.#stepTimeout;
    let unavailable = 0;
    for (;;) {
      if (this.#stopped) throw new Error(`stopped while waiting for ${what}`);
      try {
        if (await done()) return;
        unavailable = 0;
      } catch (error) {
        // A blip while polling for minutes is not a failure of the operation; a run of them is.
        if (!isUnavailable(error) || ++unavailable > 3) throw error;
      }
      if (Date.now() >= deadline) {
        throw new Error(`timed out after ${Math.round(this.#stepTimeout / 1000)} s waiting for ${what}`);
      }
      await new Promise((r) => setTimeout(r, this.#interval));
    }
  }

  #invalidate(): void {
    this.#cached = null;
  }

  async #snapshot(maxAgeMs: number): Promise<ResourceSnapshot> {
    const api = this.#api;
    if (!api) return { instance: null, catalog: null, syncedTable: null };
    if (this.#cached && Date.now() - this.#cached.at <= maxAgeMs) return this.#cached.value;
    // Single flight: concurrent readers share one round of GETs.
    this.#pending ??= (async () => {
      const c = this.config;
      const [i, cat, t] = await Promise.all([
        api.getInstance(c.instanceName),
        api.getCatalog(c.catalogName),
        api.getSyncedTable(c.syncedTable),
      ]);
      const value: ResourceSnapshot = {
        instance: i ? instanceStatus(i) : null,
        catalog: cat ? catalogStatus(cat) : null,
        syncedTable: t ? syncedTableStatus(t) : null,
      };
      this.#cached = { value, at: Date.now() };
      return value;
    })().finally(() => {
      this.#pending = null;
    });
    try {
      return await this.#pending;
    } catch (error) {
      throw toTrpcError(error, "reading the Lakebase status failed");
    }
  }

  #isSettled(s: LakebaseStatus): boolean {
    if (this.#operation) return false;
    const instanceSettled = !s.instance || s.instance.state === "AVAILABLE" || s.instance.state === "STOPPED";
    const tableSettled = !s.syncedTable || isOnline(s.syncedTable) || isSyncFailed(s.syncedTable);
    return instanceSettled && tableSettled;
  }
}

/** Runs a create; a 409 means someone (another replica, the bundle) created it first: that is `existing`. */
async function createdOrExisting(create: () => Promise<unknown>): Promise<"created" | "existing"> {
  try {
    await create();
    return "created";
  } catch (error) {
    if (isApiError(error) && error.statusCode === 409) return "existing";
    throw error;
  }
}

async function deleteOrNotFound(del: () => Promise<void>): Promise<boolean> {
  try {
    await del();
    return true;
  } catch (error) {
    if (isApiError(error) && error.statusCode === 404) return false;
    throw error;
  }
}
