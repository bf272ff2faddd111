import type { LakebaseNames } from "@lakebase-orders/config";
import type { Logger } from "@lakebase-orders/log";
import { isSettled } from "@lakebase-orders/shared";
import { preconditionFailed } from "../errors/domain-error.ts";
import type { DataAvailability } from "../orders/availability.ts";
import { availabilityOf } from "./availability-policy.ts";
import type { LakebaseApi } from "./databricks.ts";
import { describeFailure, fromDatabricks } from "./databricks-errors.ts";
import { OperationLock } from "./operation-lock.ts";
import { createPoller, type Poller } from "./poller.ts";
import { provisionRest, startCreate } from "./provisioning.ts";
import { instanceStatus, type ResourceSnapshot } from "./status.ts";
import { createStatusReader, type StatusReader } from "./status-reader.ts";
import { deleteAll } from "./teardown.ts";
import type {
  CreateInput,
  CreateResult,
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
  /** Called after a create's background part ends (the audit row of its outcome). */
  onOperationFinished?: (op: OperationView, detail: unknown) => Promise<void>;
}

const EMPTY: ResourceSnapshot = { instance: null, catalog: null, syncedTable: null };

/** The names as the status shows them: the synced table as its 3-part name. */
export function namesView(names: LakebaseNames): LakebaseNamesView {
  return { ...names, syncedTable: names.syncedTable.fullName };
}

/**
 * Lifecycle of the three Lakebase resources: status (cached, single flight), the data-availability check,
 * and the create/delete/stop/start workflows under one operation lock. A create returns after its first
 * calls and provisions in the background, visible through status and the progress poller.
 */
export function createLakebaseAdmin(options: LakebaseAdminOptions): LakebaseAdmin {
  const log = options.logger.child({ component: "lakebase" });
  const names = namesView(options.names);
  const api = options.api;
  const interval = options.pollIntervalMs ?? 2000;
  const cacheMs = options.statusCacheMs ?? 3000;
  const stepTimeoutMs = options.stepTimeoutMs ?? 20 * 60_000;
  let closed = false;
  let background: Promise<void> | null = null;
  const reader: StatusReader | null = api ? createStatusReader(api, names, cacheMs) : null;

  const status = async (maxAgeMs = cacheMs): Promise<LakebaseStatus> => {
    const snapshot = reader ? await reader.read(maxAgeMs) : EMPTY;
    return {
      configured: api !== null,
      config: names,
      ...snapshot,
      operation: lock.current,
      fetchedAt: new Date(reader?.fetchedAt() ?? Date.now()).toISOString(),
    };
  };

  const poller: Poller<LakebaseStatus> = createPoller({
    intervalMs: interval,
    fetch: () => status(0),
    // Volatile fields would make every poll look like a change.
    fingerprint: (s) => JSON.stringify({ ...s, fetchedAt: undefined }),
    settled: (s) => isSettled({ ...s, operation: lock.running }),
    logger: log,
  });
  const lock = new OperationLock(log, () => poller.kick());

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
  const finish = (op: OperationView, error: unknown) => {
    reader?.invalidate();
    lock.finish(op, error);
  };

  return {
    configured: api !== null,
    names,
    poller,
    status: (o = {}) => status(o.maxAgeMs),

    availability: (fallback) => async (): Promise<DataAvailability> => {
      if (!reader) return fallback();
      let snapshot: ResourceSnapshot;
      try {
        snapshot = await reader.read(cacheMs);
      } catch (error) {
        // Databricks unreachable says nothing about Postgres: let the table decide.
        log.warn("lakebase status unavailable for the availability check", { error });
        return fallback();
      }
      return availabilityOf(snapshot, lock.running, names);
    },

    async create(input: CreateInput, actor: string): Promise<CreateResult> {
      const w = workflow(requireApi());
      const op = lock.begin("create", actor);
      let result: CreateResult;
      try {
        result = await startCreate(w, op, input);
      } catch (error) {
        finish(op, error);
        throw fromDatabricks(error, "create failed");
      }
      background = (async () => {
        let failure: unknown;
        try {
          await provisionRest(w, op, result, options.onProvisioned);
        } catch (error) {
          failure = error;
        }
        finish(op, failure);
        // The request's audit row said "accepted"; the outcome arrives here, minutes later.
        await options
          .onOperationFinished?.({ ...op }, result)
          .catch((e: unknown) => log.error("operation hook failed", { error: describeFailure(e) }));
      })().finally(() => {
        background = null;
      });
      poller.kick();
      return result;
    },

    async delete(actor: string): Promise<DeleteResult> {
      const w = workflow(requireApi());
      const op = lock.begin("delete", actor);
      const result = await deleteAll(w, op);
      const failed = result.steps.find((s) => s.outcome === "failed");
      finish(op, failed ? new Error(`${failed.resource} ${failed.name}: ${failed.error}`) : undefined);
      return result;
    },

    async setStopped(stopped: boolean, actor: string) {
      const a = requireApi();
      const op = lock.begin(stopped ? "stop" : "start", actor);
      try {
        lock.step(op, stopped ? "stopping the instance" : "starting the instance");
        const updated = await a.setStopped(names.instanceName, stopped);
        finish(op, undefined);
        return { instance: instanceStatus(updated) };
      } catch (error) {
        finish(op, error);
        throw fromDatabricks(error, stopped ? "stop failed" : "start failed");
      }
    },

    async idle() {
      await background;
    },

    async close() {
      closed = true;
      poller.close();
      await background?.catch(() => undefined);
    },
  };
}
