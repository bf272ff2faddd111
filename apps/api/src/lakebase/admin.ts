import type { LakebaseNames } from "@lakebase-orders/config";
import type { Logger } from "@lakebase-orders/log";
import { isSettled } from "@lakebase-orders/shared";
import { preconditionFailed } from "../errors/domain-error.ts";
import { createCache } from "../lib/cache.ts";
import { withDeadline } from "../lib/deadline.ts";
import type { DataAvailability } from "../orders/availability.ts";
import { availabilityOf } from "./availability-policy.ts";
import type { LakebaseApi } from "./databricks.ts";
import { describeFailure, fromDatabricks } from "./databricks-errors.ts";
import type { OperationJournal } from "./operation-journal.ts";
import { createOperationLeases, type HeldLease } from "./operation-lease.ts";
import { OperationLock } from "./operation-lock.ts";
import { planRecovery, viewOf } from "./operation-recovery.ts";
import { createPoller, type Poller } from "./poller.ts";
import { provisionRest, startCreate } from "./provisioning.ts";
import { instanceStatus, type ResourceSnapshot } from "./status.ts";
import { createStatusReader, type StatusReader } from "./status-reader.ts";
import { deleteAll } from "./teardown.ts";
import type {
  CreateInput,
  CreateResult,
  DatabricksHealth,
  DeleteResult,
  LakebaseAdmin,
  LakebaseNamesView,
  LakebaseStatus,
  OperationView,
} from "./types.ts";
import { waitFor } from "./wait-for.ts";
import type { Workflow } from "./workflow.ts";

export const NOT_CONFIGURED = "Databricks is not configured";

export interface LakebaseAdminOptions {
  names: LakebaseNames;
  /** null when no workspace is configured: status says so and mutations refuse. */
  api: LakebaseApi | null;
  logger: Logger;
  /** Interval of the shared status poller while things move, and of every wait (default 2000 ms). */
  pollIntervalMs?: number;
  /** Interval of the poller while subscribers watch a settled state (default 15 s). */
  settledPollIntervalMs?: number;
  /** How long a status snapshot serves status queries (default 3000 ms). */
  statusCacheMs?: number;
  /** Deadline of each wait for a resource to appear or go away (default 20 min). */
  stepTimeoutMs?: number;
  /**
   * Runs once the synced table is ONLINE, before the create counts as done: the app's own tables
   * (app_data migrations) must exist in a database that did not exist when the server started.
   */
  onProvisioned?: () => Promise<void>;
  /** Called after an operation's background part ends (the audit row of its outcome). */
  onOperationFinished?: (op: OperationView, detail: unknown) => Promise<void>;
  /** Called when this process takes over an operation a stopped process left unfinished. */
  onOperationResumed?: (op: OperationView, detail: unknown) => Promise<void>;
  /** Called when an instance this process started turns AVAILABLE (its database answers from now on). */
  onInstanceAvailable?: () => void;
  /** The journal shared by the app's processes (null: only this process's lock). */
  journal?: OperationJournal | null;
  /** Lease of a running operation after its holder's last renewal (default 30 s). */
  leaseSeconds?: number;
  /** True once the app's database answers and is migrated (the journal lives there). */
  databaseReady?: () => boolean;
}

const EMPTY: ResourceSnapshot = { instance: null, catalog: null, syncedTable: null };
const HEALTHY: DatabricksHealth = { ok: true, error: null, failingSince: null, databricks: null };
/** How long a status query waits for Databricks before it shows the last snapshot, marked stale. */
const STATUS_WAIT_MS = 5000;
/** How long an orders request waits for the very first snapshot before it asks the table instead. */
const FIRST_STATUS_WAIT_MS = 2000;

/** The names as the status shows them: the synced table as its 3-part name. */
export function namesView(names: LakebaseNames): LakebaseNamesView {
  return { ...names, syncedTable: names.syncedTable.fullName };
}

/**
 * Lifecycle of the three Lakebase resources: status (cached, single flight, never blocking orders reads),
 * the data-availability check, and the create/delete/stop/start workflows under one operation lock per
 * process and one lease across processes (operation-lease.ts). A create returns after its first calls and
 * provisions in the background, visible through status and the progress poller; operations a stopped
 * process left unfinished are resumed or reported (`recover`).
 */
export function createLakebaseAdmin(options: LakebaseAdminOptions): LakebaseAdmin {
  const log = options.logger.child({ component: "lakebase" });
  const names = namesView(options.names);
  const api = options.api;
  const interval = options.pollIntervalMs ?? 2000;
  const cacheMs = options.statusCacheMs ?? 3000;
  const stepTimeoutMs = options.stepTimeoutMs ?? 20 * 60_000;
  const leaseMs = (options.leaseSeconds ?? 30) * 1000;
  const journal = options.journal ?? null;
  const databaseReady = options.databaseReady ?? (() => true);
  let closed = false;
  let background: Promise<void> | null = null;
  const reader: StatusReader | null = api ? createStatusReader(api, names, cacheMs, log) : null;
  const held = new Map<string, HeldLease>();
  // Another process's running operation, from the journal, for the status (cached like the snapshot).
  const others = createCache<OperationView | null>({ ttlMs: cacheMs });

  const otherOperation = async (): Promise<OperationView | null> => {
    if (!journal || !databaseReady()) return null;
    return others
      .get("running", async () => {
        const row = await journal.running(names.instanceName);
        return row?.live ? viewOf(row, row.step) : null;
      })
      .catch(() => null);
  };

  const status = async (maxAgeMs = cacheMs): Promise<LakebaseStatus> => {
    let snapshot = EMPTY;
    let health = HEALTHY;
    if (reader) {
      const waitMs = Math.min(STATUS_WAIT_MS, Math.max(cacheMs, 1000));
      try {
        snapshot = await withDeadline(
          reader.read(maxAgeMs),
          waitMs,
          `Databricks has not answered the status calls within ${waitMs / 1000} s (still trying)`,
        );
        health = reader.health();
      } catch (error) {
        // Throttled or failing: the console shows the last snapshot, marked, rather than an error or a stall.
        const last = reader.last();
        if (!last) throw fromDatabricks(error, "reading the Lakebase status failed");
        snapshot = last.snapshot;
        const failed = reader.health();
        health = failed.ok
          ? {
              ...HEALTHY,
              ok: false,
              error: describeFailure(error).message,
              failingSince: new Date().toISOString(),
            }
          : failed;
      }
    }
    return {
      configured: api !== null,
      config: names,
      ...snapshot,
      operation: lock.running ?? (await otherOperation()) ?? lock.current,
      fetchedAt: new Date(reader?.fetchedAt() ?? Date.now()).toISOString(),
      api: health,
    };
  };

  const poller: Poller<LakebaseStatus> = createPoller({
    intervalMs: interval,
    ...(options.settledPollIntervalMs !== undefined
      ? { settledIntervalMs: options.settledPollIntervalMs }
      : {}),
    fetch: () => status(0),
    // Volatile fields would make every poll look like a change.
    fingerprint: (s) => JSON.stringify({ ...s, fetchedAt: undefined }),
    settled: (s) => isSettled({ ...s, operation: lock.running ?? s.operation }),
    logger: log,
  });
  const lock = new OperationLock(log, () => poller.kick());
  const leases = createOperationLeases({
    journal,
    instanceName: names.instanceName,
    leaseSeconds: leaseMs / 1000,
    databaseReady,
    snapshot: async () => {
      if (!reader) return EMPTY;
      return reader.read(0);
    },
    onInterrupted: (row) => {
      const op = { ...viewOf(row, `interrupted: ${row.step}`), outcome: "failed" as const };
      void options
        .onOperationFinished?.(op, {
          interrupted: true,
          note: "its process stopped; a new operation went ahead",
        })
        .catch((e: unknown) => log.error("operation hook failed", { error: describeFailure(e) }));
    },
    log,
  });

  const requireApi = (): LakebaseApi => {
    if (!api) throw preconditionFailed(NOT_CONFIGURED);
    return api;
  };
  const workflow = (a: LakebaseApi): Workflow => ({
    api: a,
    names,
    lock,
    wait: (what, done) =>
      waitFor(what, done, { intervalMs: interval, timeoutMs: stepTimeoutMs, stopped: () => closed }),
    invalidate: () => reader?.invalidate(),
  });

  /** Both locks: this process's first (synchronous), then the lease across processes. */
  const begin = async (kind: OperationView["kind"], actor: string): Promise<OperationView> => {
    const op = lock.begin(kind, actor);
    try {
      held.set(op.id, await leases.acquire(op));
    } catch (error) {
      lock.abandon(op);
      throw error;
    }
    return op;
  };
  const finish = async (op: OperationView, error: unknown) => {
    reader?.invalidate();
    others.clear();
    lock.finish(op, error);
    const lease = held.get(op.id);
    held.delete(op.id);
    await lease?.finish(op);
  };
  const finished = (op: OperationView, detail: unknown) =>
    options
      .onOperationFinished?.({ ...op }, detail)
      .catch((e: unknown) => log.error("operation hook failed", { error: describeFailure(e) }));

  /** In the background: the rest of a create, its outcome, its audit row. */
  const provisionInBackground = (w: Workflow, op: OperationView, result: CreateResult) => {
    background = (async () => {
      let failure: unknown;
      try {
        await provisionRest(w, op, result, options.onProvisioned);
      } catch (error) {
        failure = error;
      }
      await finish(op, failure);
      // The request's audit row said "accepted"; the outcome arrives here, minutes later.
      await finished(op, result);
    })().finally(() => {
      background = null;
    });
    poller.kick();
  };

  /** Carries on with an operation a stopped process left: create and delete resume, stop/start are checked. */
  const resume = async (a: LakebaseApi, op: OperationView, previousStep: string) => {
    log.warn("lakebase operation resumed", { operationId: op.id, kind: op.kind, previousStep });
    await options
      .onOperationResumed?.({ ...op }, { previousStep })
      .catch((e: unknown) => log.error("operation hook failed", { error: describeFailure(e) }));
    const w = workflow(a);
    if (op.kind === "create") {
      let result: CreateResult;
      try {
        result = await startCreate(w, op, { capacity: "CU_1", nodeCount: 1 }, { createInstance: false });
      } catch (error) {
        await finish(op, error);
        await finished(op, { previousStep });
        return;
      }
      provisionInBackground(w, op, result);
    } else if (op.kind === "delete") {
      background = (async () => {
        const result = await deleteAll(w, op);
        const failed = result.steps.find((s) => s.outcome === "failed");
        await finish(
          op,
          failed ? new Error(`${failed.resource} ${failed.name}: ${failed.error}`) : undefined,
        );
        await finished(op, result);
      })().finally(() => {
        background = null;
      });
    } else {
      // Stop and start are one call: whether it landed, Databricks says.
      const raw = await a.getInstance(names.instanceName).catch(() => null);
      const instance = raw ? instanceStatus(raw) : null;
      const wanted = op.kind === "stop";
      lock.step(op, "checking what Databricks did after a restart");
      await finish(
        op,
        instance && instance.stopped === wanted
          ? undefined
          : new Error(
              `interrupted: its process stopped before Databricks confirmed it (the instance is ${instance?.state ?? "absent"}); run it again`,
            ),
      );
      await finished(op, { previousStep, instance });
    }
  };

  /**
   * After a start, watches (outside the lock: the start itself is done) until the instance is AVAILABLE, so
   * the app tries its database at once rather than at its next backoff.
   */
  const watchUntilAvailable = (a: LakebaseApi) => {
    if (!options.onInstanceAvailable) return;
    void waitFor(
      "the started instance to be AVAILABLE",
      async () => (await a.getInstance(names.instanceName))?.state === "AVAILABLE",
      { intervalMs: interval, timeoutMs: stepTimeoutMs, stopped: () => closed },
    ).then(options.onInstanceAvailable, (error: unknown) =>
      log.debug("lakebase start watch ended", { error: describeFailure(error) }),
    );
  };

  const recoverOnce = async (): Promise<"done" | "wait"> => {
    if (databaseReady()) await leases.flush();
    if (!api || !reader || closed || lock.running) return "done";
    const plan = await planRecovery({
      api,
      names,
      reader,
      journal,
      databaseReady,
      leaseMs,
      abandonedSince,
    });
    if (plan.action === "none") return "done";
    if (plan.action === "wait") {
      log.debug("lakebase recovery waiting", { reason: plan.reason });
      return "wait";
    }
    if (plan.action === "take-over") {
      const row = await journal?.takeOver(plan.row.id, "resuming after a restart");
      if (!row) return "done";
      const op = viewOf(row, `resuming after a restart (was: ${plan.row.step})`);
      lock.adopt(op);
      held.set(op.id, leases.hold(op, true));
      await resume(api, op, plan.row.step);
      return "done";
    }
    const op = plan.op;
    let claimed = false;
    if (journal && databaseReady()) {
      const result = await journal.claim(op, names.instanceName).catch(() => null);
      if (result && !result.claimed && result.holder?.live) return "done";
      claimed = result?.claimed ?? false;
    }
    lock.adopt(op);
    held.set(op.id, leases.hold(op, claimed));
    await resume(api, op, "create interrupted before its database existed");
    return "done";
  };
  const abandonedSince = new Map<string, number>();
  let recovering: Promise<void> | null = null;
  let recoverAgain = false;
  const stopping = new AbortController();
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      stopping.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  const recover = (): Promise<void> => {
    if (recovering) {
      recoverAgain = true;
      return recovering;
    }
    recovering = (async () => {
      for (let attempt = 1; !closed; attempt++) {
        recoverAgain = false;
        const outcome = await recoverOnce().catch((error: unknown) => {
          log.warn("lakebase recovery failed; will retry", { error: describeFailure(error) });
          return "wait" as const;
        });
        if (outcome === "done" && !recoverAgain) return;
        // A lease runs out within one lease: no need to wait longer than that between looks.
        if (outcome === "wait") await pause(Math.min(interval * 2 ** Math.min(attempt, 4), 30_000, leaseMs));
      }
    })().finally(() => {
      recovering = null;
    });
    return recovering;
  };

  return {
    configured: api !== null,
    names,
    poller,
    status: (o = {}) => status(o.maxAgeMs),

    // Orders reads decide from the last known snapshot and never wait on Databricks: a stale one is
    // refreshed in the background. They wait, briefly, only for the very first answer, and for the first
    // one after a change of this process (its own create must not read as "does not exist").
    availability: (fallback) => async (): Promise<DataAvailability> => {
      if (!reader) return fallback();
      const last = reader.last();
      if (last && !last.invalidated) {
        reader.refresh(cacheMs);
        return availabilityOf(last.snapshot, lock.running, names);
      }
      let snapshot: ResourceSnapshot;
      try {
        snapshot = await withDeadline(reader.read(cacheMs), FIRST_STATUS_WAIT_MS, "no Lakebase status yet");
      } catch (error) {
        log.warn("lakebase status unavailable for the availability check", { error: describeFailure(error) });
        if (last) {
          // Not answering: the last known state serves until it does (no wait on every read meanwhile).
          reader.acceptStale();
          return availabilityOf(last.snapshot, lock.running, names);
        }
        // Databricks unreachable says nothing about Postgres: let the table decide.
        return fallback();
      }
      return availabilityOf(snapshot, lock.running, names);
    },

    async create(input: CreateInput, actor: string): Promise<CreateResult> {
      const w = workflow(requireApi());
      const op = await begin("create", actor);
      let result: CreateResult;
      try {
        result = await startCreate(w, op, input);
      } catch (error) {
        await finish(op, error);
        throw fromDatabricks(error, "create failed");
      }
      provisionInBackground(w, op, result);
      return result;
    },

    async delete(actor: string): Promise<DeleteResult> {
      const w = workflow(requireApi());
      const op = await begin("delete", actor);
      const result = await deleteAll(w, op);
      const failed = result.steps.find((s) => s.outcome === "failed");
      await finish(op, failed ? new Error(`${failed.resource} ${failed.name}: ${failed.error}`) : undefined);
      return result;
    },

    async setStopped(stopped: boolean, actor: string) {
      const a = requireApi();
      const op = await begin(stopped ? "stop" : "start", actor);
      try {
        lock.step(op, stopped ? "stopping the instance" : "starting the instance");
        const updated = await a.setStopped(names.instanceName, stopped);
        await finish(op, undefined);
        if (!stopped) watchUntilAvailable(a);
        return { instance: instanceStatus(updated) };
      } catch (error) {
        await finish(op, error);
        throw fromDatabricks(error, stopped ? "stop failed" : "start failed");
      }
    },

    recover,

    async idle() {
      await background;
    },

    async close() {
      closed = true;
      stopping.abort();
      poller.close();
      await background?.catch(() => undefined);
      await recovering?.catch(() => undefined);
    },
  };
}
