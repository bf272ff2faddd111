import type { LakebaseNames } from "@lakebase-orders/config";
import type { PostgresApi } from "@lakebase-orders/lakebase-api";
import type { Logger } from "@lakebase-orders/log";
import { DomainError, preconditionFailed } from "../../errors/domain-error.ts";
import { leftToAnother, NOT_CONFIGURED, namesView } from "../admin/admin.ts";
import { availabilityFrom } from "../admin/availability.ts";
import { describeFailure, fromDatabricks } from "../admin/failures.ts";
import { createMachinery, type MachineryOptions } from "../admin/machinery.ts";
import type {
  ActionResult,
  AutoscalingActions,
  CreateInput,
  CreateResult,
  DeleteResult,
  LakebaseAdmin,
  OperationKind,
  OperationView,
  UserCredentials,
} from "../admin/types.ts";
import { EMPTY_SNAPSHOT } from "../status/view.ts";
import { type ActionStart, attachData, checkBranchDelete, createBranch, deleteBranch } from "./branches.ts";
import { checkEndpointDelete, createEndpoint, deleteEndpoint, updateEndpoint } from "./endpoints.ts";
import { autoscalingResume, setDisabled } from "./lifecycle.ts";
import { autoscalingOutcomes } from "./outcomes.ts";
import { provisionRest, startCreate } from "./provisioning.ts";
import { type AutoscalingTarget, readAutoscaling } from "./read.ts";
import { answerWithin, deleteAll } from "./teardown.ts";
import { branchView, endpointView } from "./views.ts";
import { wakeWatch } from "./wake-watch.ts";
import { type AutoscalingWorkflow, autoscalingWorkflow } from "./workflow.ts";

/** How long a delete's request waits for the deletes before it answers with what is still going on. */
const DELETE_ANSWER_MS = 5000;

export interface AutoscalingAdminOptions extends MachineryOptions {
  names: LakebaseNames;
  target: AutoscalingTarget;
  /** null when no workspace is configured: status says so and mutations refuse. */
  api: PostgresApi | null;
  /** The API as a signed-in user, built per operation that acts as them. */
  userApi?: (credentials: UserCredentials) => PostgresApi;
  logger: Logger;
  onProvisioned?: () => Promise<void>;
  /** Called when a start of this process has enabled the read-write endpoint (its database answers again). */
  onInstanceAvailable?: () => void;
}

/**
 * The Lakebase admin of an Autoscaling project (the `postgres` API), behind the same port as the
 * Provisioned one and on the same machinery: one operation lock per process and one lease across processes
 * (the journal, keyed by the project id), the shared status view, poller and progress, the audit hooks. It
 * supplies its own steps: the status read (project, branches, endpoints, catalog, synced table), create and
 * delete in dependency order, stop/start as disable/enable of the read-write endpoint, and the
 * Autoscaling-only actions (`autoscaling`). Every change is a Databricks operation, polled until done.
 */
export function createAutoscalingAdmin(options: AutoscalingAdminOptions): LakebaseAdmin {
  const log = options.logger.child({ component: "lakebase", flavour: "autoscaling" });
  const { target } = options;
  const names = namesView(options.names);
  const api = options.api;
  const m = createMachinery(
    {
      flavour: "autoscaling",
      api,
      names,
      read: (a) => readAutoscaling(a, target, names),
      outcomes: autoscalingOutcomes,
      resume: autoscalingResume(target, options.onProvisioned),
      log,
    },
    options,
  );
  const { reader, lock, view, poller, ops, cacheMs } = m;

  const requireApi = (): PostgresApi => {
    if (!api) throw preconditionFailed(NOT_CONFIGURED);
    return api;
  };
  /** Who a change is made as: the user whose credentials came with it, else the service principal. */
  const actingApi = (as: UserCredentials | undefined): PostgresApi => {
    const sp = requireApi();
    if (!as) return sp;
    if (!options.userApi) throw preconditionFailed("This app cannot act as its signed-in users");
    return options.userApi(as);
  };
  const workflow = (acting: PostgresApi): AutoscalingWorkflow =>
    autoscalingWorkflow(ops.workflow(requireApi(), acting), target);

  const waking = wakeWatch(reader, target.endpoint);

  /**
   * An Autoscaling action: both locks, its first calls inside the request (a refusal is the caller's error
   * at once), the rest in the background with its outcome recorded and audited when it ends.
   */
  const act = async (
    kind: OperationKind,
    actor: string,
    as: UserCredentials | undefined,
    first: (w: AutoscalingWorkflow, op: OperationView) => Promise<ActionStart>,
  ): Promise<ActionResult> => {
    const w = workflow(actingApi(as));
    const op = await ops.begin(kind, actor);
    let start: ActionStart;
    try {
      start = await first(w, op);
    } catch (error) {
      if (!(await ops.finish(op, error))) throw leftToAnother(error);
      throw fromDatabricks(error, `${kind} failed`);
    }
    const result: ActionResult = {
      operationId: op.id,
      kind,
      resource: start.resource,
      outcome: start.outcome,
      databricksOperation: start.databricksOperation,
    };
    const rest = start.rest;
    if (rest) {
      ops.runInBackground(op, async () => ({ detail: { ...result, result: await rest() } }));
      poller.kick();
    } else {
      await ops.finish(op, undefined);
    }
    return result;
  };

  const autoscaling: AutoscalingActions = {
    target,
    async listBranches() {
      const a = requireApi();
      const branches = await a
        .all((page) => a.listBranches(target.project, page))
        .catch((error: unknown) => {
          throw fromDatabricks(error, "listing the branches failed");
        });
      return branches.map((b) => branchView(b, target.branch));
    },
    async listEndpoints(branchId) {
      const a = requireApi();
      const branch = branchId ? `${target.project}/branches/${branchId}` : target.branch;
      const endpoints = await a
        .all((page) => a.listEndpoints(branch, page))
        .catch((error: unknown) => {
          throw fromDatabricks(error, "listing the endpoints failed");
        });
      return endpoints.map((e) => endpointView(e, target.endpoint));
    },
    createBranch: (input, actor, as) =>
      act("branch.create", actor, as, (w, op) => createBranch(w, op, input)),
    deleteBranch: async (input, actor, as) => {
      checkBranchDelete(target, input);
      return act("branch.delete", actor, as, (w, op) => deleteBranch(w, op, input));
    },
    createEndpoint: (input, actor, as) =>
      act("endpoint.create", actor, as, (w, op) => createEndpoint(w, op, input)),
    updateEndpoint: (input, actor, as) =>
      act("endpoint.update", actor, as, (w, op) => updateEndpoint(w, op, input)),
    deleteEndpoint: async (input, actor, as) => {
      checkEndpointDelete(input);
      return act("endpoint.delete", actor, as, (w, op) => deleteEndpoint(w, op, input));
    },
    attachData: (input, actor, as) =>
      act("data.attach", actor, as, (w, op) => attachData(w, op, input, options.onProvisioned)),
  };

  return {
    configured: api !== null,
    flavour: "autoscaling",
    names,
    autoscaling,
    poller,
    status: (o = {}) => view.status(o.maxAgeMs ?? cacheMs),
    availability: availabilityFrom({ reader, lock, names, cacheMs, log }),

    async create(input: CreateInput, actor: string, as?: UserCredentials): Promise<CreateResult> {
      const w = workflow(actingApi(as));
      const op = await ops.begin("create", actor);
      let started: Awaited<ReturnType<typeof startCreate>>;
      try {
        started = await startCreate(w, op, input);
      } catch (error) {
        if (!(await ops.finish(op, error))) throw leftToAnother(error);
        throw fromDatabricks(error, "create failed");
      }
      ops.runInBackground(op, async () => {
        try {
          await provisionRest(w, op, started, options.onProvisioned);
          return { detail: started.result };
        } catch (failure) {
          return { detail: started.result, failure };
        }
      });
      poller.kick();
      return started.result;
    },

    async delete(actor: string, as?: UserCredentials): Promise<DeleteResult> {
      const w = workflow(actingApi(as));
      const op = await ops.begin("delete", actor);
      const running = deleteAll(w, op);
      let answer: Awaited<ReturnType<typeof answerWithin>>;
      try {
        answer = await answerWithin(running, DELETE_ANSWER_MS, {
          syncedTable: names.syncedTable,
          catalog: names.catalogName,
          project: target.project,
          branch: target.branch,
          instance: names.instanceName,
        });
      } catch (error) {
        // Only an interruption escapes the steps (each step's failure is in the result).
        if (!(await ops.finish(op, error))) throw leftToAnother(error);
        throw error;
      }
      if (!answer.finished) {
        // Still deleting (a project stops every compute of every branch): the outcome is recorded and
        // audited when it ends.
        ops.runInBackground(op, async () => {
          await running.done;
          const failure = ops.deleteOutcome(running.result);
          return failure ? { detail: running.result, failure } : { detail: running.result };
        });
        poller.kick();
        return answer.result;
      }
      const result = running.result;
      await ops.finish(op, ops.deleteOutcome(result));
      // Refused before anything was deleted (the acting identity may not manage the project): the caller's
      // FORBIDDEN with Databricks' message. Once something is gone, the step list is the only honest answer.
      const failed = result.steps.find((s) => s.outcome === "failed");
      const status = failed?.databricks?.statusCode;
      if (
        failed &&
        (status === 403 || status === 401) &&
        !result.steps.some((s) => s.outcome === "deleted")
      ) {
        throw new DomainError("forbidden", `delete refused: ${failed.error}`, {
          databricks: failed.databricks ?? null,
        });
      }
      return result;
    },

    // Stop and start are the read-write endpoint disabled or enabled: one operation of the `postgres` API,
    // waited for inside the request (it takes seconds, not minutes).
    async setStopped(stopped: boolean, actor: string, as?: UserCredentials) {
      const w = workflow(actingApi(as));
      const op = await ops.begin(stopped ? "stop" : "start", actor);
      const detail = { project: target.project, endpoint: target.endpoint, stopped };
      try {
        await setDisabled(w, op, stopped);
      } catch (error) {
        if (!(await ops.finish(op, error))) throw leftToAnother(error);
        await ops.finished(op, { ...detail, error: describeFailure(error) });
        throw fromDatabricks(error, stopped ? "stop failed" : "start failed");
      }
      // Its request is audited as accepted, as on Provisioned: the outcome has its own row.
      if (await ops.finish(op, undefined)) await ops.finished(op, detail);
      if (!stopped) options.onInstanceAvailable?.();
      const snapshot = reader ? await reader.read(0) : EMPTY_SNAPSHOT;
      if (!snapshot.instance) throw preconditionFailed(`The project ${target.project} is gone`);
      return { instance: snapshot.instance };
    },

    recover: () => m.recovery?.recover() ?? Promise.resolve(),
    wakeReason: (error) => waking.reason(error),
    idle: () => ops.idle(),
    close: () => m.close(),
  };
}
