import type { DatabaseApi } from "@lakebase-orders/lakebase-api";
import type { Logger } from "@lakebase-orders/log";
import { describeFailure } from "../admin/failures.ts";
import type { CreateResult, DeleteResult, LakebaseNamesView, OperationView } from "../admin/types.ts";
import { provisionRest } from "../provisioned/provisioning.ts";
import { deleteAll } from "../provisioned/teardown.ts";
import type { StatusReader } from "../status/reader.ts";
import type { HeldLease, OperationLeases } from "./lease.ts";
import type { OperationLock } from "./lock.ts";
import { waitFor } from "./wait-for.ts";
import type { Workflow } from "./workflow.ts";

export interface OperationsOptions {
  names: LakebaseNamesView;
  lock: OperationLock;
  leases: OperationLeases;
  reader: StatusReader | null;
  log: Logger;
  intervalMs: number;
  stepTimeoutMs: number;
  closed: () => boolean;
  onProvisioned?: () => Promise<void>;
  /** The audit row of an outcome that arrives after the request (or without one). */
  onOperationFinished?: (op: OperationView, detail: unknown) => Promise<void>;
  /** Anything that derives from the running operation (the status's view of other processes). */
  onChange?: () => void;
}

/**
 * How an operation runs, whoever started it (a request, or the recovery of one a stopped process left):
 * both locks at the start, the workflow's polling, the work left to the background, and at the end the
 * outcome recorded in both locks and the audit.
 */
export interface Operations {
  /** A workflow reading with `api` and changing with `acting` (default: `api` itself). */
  workflow(api: DatabaseApi, acting?: DatabaseApi): Workflow;
  /** This process's lock first (synchronous: racing requests cannot both pass), then the lease. */
  begin(kind: OperationView["kind"], actor: string): Promise<OperationView>;
  /** Runs an operation taken over from a stopped process (its lease already claimed, or not yet). */
  adopt(op: OperationView, claimed: boolean): void;
  /** Records the outcome (`error` undefined: succeeded) in both locks. */
  finish(op: OperationView, error: unknown): Promise<void>;
  /** The audit row of an outcome that arrives later; never throws. */
  finished(op: OperationView, detail: unknown): Promise<void>;
  /** The rest of a create, in the background, then its outcome and audit row. */
  provisionInBackground(w: Workflow, op: OperationView, result: CreateResult): void;
  /** A delete run in the background (a resumed one), then its outcome and audit row. */
  deleteInBackground(w: Workflow, op: OperationView): void;
  /** The delete's outcome from its steps. */
  deleteOutcome(result: DeleteResult): Error | undefined;
  /** Resolves when background work (if any) has ended. */
  idle(): Promise<void>;
}

export function createOperations(o: OperationsOptions): Operations {
  const held = new Map<string, HeldLease>();
  let background: Promise<void> | null = null;

  const inBackground = (work: () => Promise<void>) => {
    background = work().finally(() => {
      background = null;
    });
  };
  const finish = async (op: OperationView, error: unknown) => {
    o.reader?.invalidate();
    o.lock.finish(op, error);
    o.onChange?.();
    const lease = held.get(op.id);
    held.delete(op.id);
    await lease?.finish(op);
  };
  const finished = async (op: OperationView, detail: unknown) => {
    await o
      .onOperationFinished?.({ ...op }, detail)
      .catch((e: unknown) => o.log.error("operation hook failed", { error: describeFailure(e) }));
  };
  const deleteOutcome = (result: DeleteResult) => {
    const failed = result.steps.find((s) => s.outcome === "failed");
    return failed ? new Error(`${failed.resource} ${failed.name}: ${failed.error}`) : undefined;
  };

  return {
    workflow: (api, acting = api) => ({
      api,
      acting,
      names: o.names,
      lock: o.lock,
      wait: (what, done) =>
        waitFor(what, done, { intervalMs: o.intervalMs, timeoutMs: o.stepTimeoutMs, stopped: o.closed }),
      invalidate: () => o.reader?.invalidate(),
    }),

    async begin(kind, actor) {
      const op = o.lock.begin(kind, actor);
      try {
        held.set(op.id, await o.leases.acquire(op));
      } catch (error) {
        o.lock.abandon(op);
        throw error;
      }
      o.onChange?.();
      return op;
    },

    adopt(op, claimed) {
      o.lock.adopt(op);
      held.set(op.id, o.leases.hold(op, claimed));
      o.onChange?.();
    },

    finish,
    finished,
    deleteOutcome,

    provisionInBackground(w, op, result) {
      inBackground(async () => {
        let failure: unknown;
        try {
          await provisionRest(w, op, result, o.onProvisioned);
        } catch (error) {
          failure = error;
        }
        await finish(op, failure);
        // The request's audit row said "accepted"; the outcome arrives here, minutes later.
        await finished(op, result);
      });
    },

    deleteInBackground(w, op) {
      inBackground(async () => {
        const result = await deleteAll(w, op);
        await finish(op, deleteOutcome(result));
        await finished(op, result);
      });
    },

    async idle() {
      await background?.catch(() => undefined);
    },
  };
}
