import type { LakebaseNames } from "@lakebase-orders/config";
import type { DatabaseApi } from "@lakebase-orders/lakebase-api";
import type { Logger } from "@lakebase-orders/log";
import { DomainError, preconditionFailed, unavailable } from "../../errors/domain-error.ts";
import { isInterrupted } from "../operations/interrupted.ts";
import { provisionedOutcomes, provisionedResume, readProvisioned } from "../provisioned/flavour.ts";
import { awaitPower, requestPower } from "../provisioned/power.ts";
import { markCreateFailed, provisionRest, startCreate } from "../provisioned/provisioning.ts";
import { deleteAll } from "../provisioned/teardown.ts";
import type { InstanceStatus } from "../status/snapshot.ts";
import { availabilityFrom } from "./availability.ts";
import { fromDatabricks } from "./failures.ts";
import { createMachinery, type MachineryOptions } from "./machinery.ts";
import type {
  CreateInput,
  CreateResult,
  DeleteResult,
  LakebaseAdmin,
  LakebaseNamesView,
  OperationView,
  UserCredentials,
} from "./types.ts";

export const NOT_CONFIGURED = "Databricks is not configured";

export interface LakebaseAdminOptions extends MachineryOptions {
  names: LakebaseNames;
  /** null when no workspace is configured: status says so and mutations refuse. */
  api: DatabaseApi | null;
  /**
   * The API as a signed-in user, from their credentials: built per operation that acts as them (see
   * `LakebaseAdmin.create`). Absent: an operation asked to act as a user is refused.
   */
  userApi?: (credentials: UserCredentials) => DatabaseApi;
  logger: Logger;
  /**
   * Runs once the synced table is ONLINE, before the create counts as done: the app's own tables
   * (app_data migrations) must exist in a database that did not exist when the server started.
   */
  onProvisioned?: () => Promise<void>;
  /** Called when a start of this process has brought the instance to AVAILABLE (its database answers from now on). */
  onInstanceAvailable?: () => void;
}

/** What a request learns when its operation stopped half-way for another process of the app to carry on. */
export function leftToAnother(error: unknown) {
  const why =
    isInterrupted(error) && error.reason === "lease-lost"
      ? "another process of the app took the operation over and carries it on"
      : "the app is shutting down; the operation stays running and the next process of the app carries it on";
  return unavailable(`The operation stopped here: ${why}.`, error);
}

/** The names as the status shows them: the synced table as its 3-part name, the target's names. */
export function namesView(names: LakebaseNames): LakebaseNamesView {
  const { target, ...rest } = names;
  return {
    ...rest,
    syncedTable: names.syncedTable.fullName,
    ...(target.flavour === "autoscaling"
      ? {
          instanceName: target.projectId,
          autoscaling: {
            project: target.project,
            branch: target.branch,
            endpoint: target.endpoint,
            readEndpoint: target.readEndpoint,
          },
        }
      : { autoscaling: null }),
  };
}

/**
 * Lifecycle of the three Lakebase resources: status (cached, single flight, never blocking orders reads),
 * the data-availability check, and the create/delete/stop/start workflows under one operation lock per
 * process and one lease across processes (operations/lease.ts). A create returns after its first calls and
 * provisions in the background, visible through status and the progress poller; operations a stopped
 * process left unfinished are resumed or reported (`recover`, recovery-loop.ts).
 */
export function createLakebaseAdmin(options: LakebaseAdminOptions): LakebaseAdmin {
  const log = options.logger.child({ component: "lakebase" });
  const names = namesView(options.names);
  const api = options.api;
  const m = createMachinery(
    {
      flavour: "provisioned",
      api,
      names,
      read: (a) => readProvisioned(a, names),
      outcomes: provisionedOutcomes,
      resume: provisionedResume(options.onProvisioned),
      log,
    },
    options,
  );
  const { reader, lock, view, poller, ops, cacheMs } = m;

  const requireApi = (): DatabaseApi => {
    if (!api) throw preconditionFailed(NOT_CONFIGURED);
    return api;
  };
  /** Who a mutation is made as: the user whose credentials came with it, else the service principal. */
  const actingApi = (as: UserCredentials | undefined): DatabaseApi => {
    const sp = requireApi();
    if (!as) return sp;
    if (!options.userApi) throw preconditionFailed("This app cannot act as its signed-in users");
    return options.userApi(as);
  };

  return {
    configured: api !== null,
    flavour: "provisioned",
    names,
    autoscaling: null,
    poller,
    status: (o = {}) => view.status(o.maxAgeMs ?? cacheMs),

    availability: availabilityFrom({ reader, lock, names, cacheMs, log }),

    async create(input: CreateInput, actor: string, as?: UserCredentials): Promise<CreateResult> {
      if (input.compute) {
        throw preconditionFailed(
          "compute (min/max CU, suspend timeout) is for Lakebase Autoscaling; this app is bound to a Provisioned instance (use capacity)",
        );
      }
      const w = ops.workflow(requireApi(), actingApi(as));
      const op = await ops.begin("create", actor);
      let result: CreateResult;
      try {
        result = await startCreate(w, op, input);
      } catch (error) {
        if (!(await ops.finish(op, error))) throw leftToAnother(error);
        throw fromDatabricks(error, "create failed");
      }
      ops.runInBackground(op, async () => {
        try {
          await provisionRest(w, op, result, options.onProvisioned);
          return { detail: result };
        } catch (failure) {
          if (!isInterrupted(failure)) await markCreateFailed(w, op, failure);
          return { detail: result, failure };
        }
      });
      poller.kick();
      return result;
    },

    async delete(actor: string, as?: UserCredentials): Promise<DeleteResult> {
      const w = ops.workflow(requireApi(), actingApi(as));
      const op = await ops.begin("delete", actor);
      let result: DeleteResult;
      try {
        result = await deleteAll(w, op);
      } catch (error) {
        // Only an interruption escapes the steps (each step's failure is in the result).
        if (!(await ops.finish(op, error))) throw leftToAnother(error);
        throw error;
      }
      await ops.finish(op, ops.deleteOutcome(result));
      const refusal = refusedOutright(result);
      if (refusal) throw refusal;
      return result;
    },

    // The PATCH inside the request; the operation succeeds once the instance is STOPPED (or AVAILABLE), in
    // the background, and until then every process's status says "stopping" (or "starting").
    async setStopped(stopped: boolean, actor: string, as?: UserCredentials) {
      const w = ops.workflow(requireApi(), actingApi(as));
      const op: OperationView = await ops.begin(stopped ? "stop" : "start", actor);
      let instance: InstanceStatus;
      try {
        instance = await requestPower(w, op, stopped);
      } catch (error) {
        if (!(await ops.finish(op, error))) throw leftToAnother(error);
        throw fromDatabricks(error, stopped ? "stop failed" : "start failed");
      }
      ops.runInBackground(op, async () => {
        await awaitPower(w, op, stopped);
        if (!stopped) options.onInstanceAvailable?.();
        return { detail: { instance: names.instanceName, stopped } };
      });
      poller.kick();
      return { instance };
    },

    recover: () => m.recovery?.recover() ?? Promise.resolve(),

    // A Provisioned instance does not scale to zero: a database that does not answer is down (or stopped).
    wakeReason: () => null,

    idle: () => ops.idle(),

    close: () => m.close(),
  };
}

/**
 * A delete that Databricks refused before anything was deleted (the acting identity may not manage the
 * instance) is the caller's FORBIDDEN, with Databricks' message, rather than a result listing a failed step.
 * Once something is gone, the step list is the only honest answer.
 */
function refusedOutright(result: DeleteResult): DomainError | null {
  if (result.steps.some((s) => s.outcome === "deleted")) return null;
  const failed = result.steps.find((s) => s.outcome === "failed");
  const status = failed?.databricks?.statusCode;
  if (!failed || (status !== 403 && status !== 401)) return null;
  return new DomainError("forbidden", `delete refused: ${failed.error}`, {
    databricks: failed.databricks ?? null,
  });
}
