import type { DatabaseApi } from "@lakebase-orders/lakebase-api";
import type { Logger } from "@lakebase-orders/log";
import { describeFailure } from "../admin/failures.ts";
import type { DeleteResult, LakebaseNamesView, OperationView } from "../admin/types.ts";
import type { StatusReader } from "../status/reader.ts";
import { isInterrupted, OperationInterrupted } from "./interrupted.ts";
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
  /** The audit row of an outcome that arrives after the request (or without one). */
  onOperationFinished?: (op: OperationView, detail: unknown) => Promise<void>;
  /** Anything that derives from the running operation (the status's view of other processes). */
  onChange?: () => void;
}

/** What an operation's background part ends with: its detail for the audit, and its failure if it failed. */
export interface BackgroundOutcome {
  detail: unknown;
  failure?: unknown;
}

/**
 * How an operation runs, whoever started it (a request, or the recovery of one a stopped process left):
 * both locks at the start, the flavour's steps (each one checks that the operation may go on: the app is
 * not closing, its lease is still this process's), the work left to the background, and at the end the
 * outcome recorded in the lock, the journal and the audit. An operation interrupted before its end records
 * no outcome: it stays running in the journal for the process that carries it on.
 */
export interface Operations {
  /** A workflow reading with `api` and changing with `acting` (default: `api` itself), of either flavour's API. */
  workflow<A = DatabaseApi>(api: A, acting?: A): Workflow<A>;
  /** This process's lock first (synchronous: racing requests cannot both pass), then the lease. */
  begin(kind: OperationView["kind"], actor: string): Promise<OperationView>;
  /** Runs an operation taken over from a stopped process (its lease already claimed, or not yet). */
  adopt(op: OperationView, claimed: boolean): void;
  /**
   * Records the outcome (`error` undefined: succeeded) in the lock and the journal; true when it did. An
   * OperationInterrupted records nothing (false): the operation is left running for its next holder.
   */
  finish(op: OperationView, error: unknown): Promise<boolean>;
  /** The audit row of an outcome that arrives later; never throws. */
  finished(op: OperationView, detail: unknown): Promise<void>;
  /** The rest of an operation, in the background, then its outcome and audit row (none if interrupted). */
  runInBackground(op: OperationView, work: () => Promise<BackgroundOutcome>): void;
  /** The delete's outcome from its steps. */
  deleteOutcome(result: DeleteResult): Error | undefined;
  /** Resolves when background work (if any) has ended. */
  idle(): Promise<void>;
}

export function createOperations(o: OperationsOptions): Operations {
  const held = new Map<string, HeldLease>();
  // Every background part still running: the next operation may begin while the last one's audit row is
  // being written (its lock ends first), and `idle` waits for both.
  const background = new Set<Promise<void>>();
  // A concluded operation whose outcome is being written to the journal: the next one begins after it.
  let ending: Promise<void> = Promise.resolve();

  const interruption = (op: OperationView): OperationInterrupted | null => {
    if (o.closed()) return new OperationInterrupted("closing", `the app is closing while ${op.step}`);
    if (held.get(op.id)?.lost) {
      return new OperationInterrupted(
        "lease-lost",
        `another process took over the ${op.kind} while ${op.step}`,
      );
    }
    return null;
  };

  const inBackground = (work: () => Promise<void>) => {
    const running: Promise<void> = work().finally(() => background.delete(running));
    background.add(running);
  };
  const finish = async (op: OperationView, error: unknown): Promise<boolean> => {
    o.reader?.invalidate();
    const lease = held.get(op.id);
    held.delete(op.id);
    if (isInterrupted(error)) {
      o.lock.release(op, error.message);
      o.onChange?.();
      await lease?.release(error.reason === "closing");
      return false;
    }
    o.lock.conclude(op, error);
    o.onChange?.();
    // The journal first, then the lock: every status read in between shows this outcome (lock.ts).
    ending = (async () => {
      try {
        await lease?.finish(op);
      } finally {
        o.lock.end(op);
        o.onChange?.();
      }
    })();
    await ending;
    return true;
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
    workflow: <A>(api: A, acting: A = api): Workflow<A> => ({
      api,
      acting,
      names: o.names,
      lock: o.lock,
      step(op, step) {
        const stop = interruption(op);
        if (stop) throw stop;
        o.lock.step(op, step);
        held.get(op.id)?.touch();
      },
      wait: (op, what, done) =>
        waitFor(what, done, {
          intervalMs: o.intervalMs,
          timeoutMs: o.stepTimeoutMs,
          interrupted: () => interruption(op),
        }),
      invalidate: () => o.reader?.invalidate(),
    }),

    async begin(kind, actor) {
      // Bounded: the journal's calls fail fast, and an outcome it cannot take is kept for later (lease.ts).
      await ending.catch(() => undefined);
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

    runInBackground(op, work) {
      inBackground(async () => {
        let outcome: BackgroundOutcome;
        try {
          outcome = await work();
        } catch (error) {
          outcome = { detail: { error: describeFailure(error) }, failure: error };
        }
        // The request's audit row said "accepted"; the outcome arrives here, minutes later (or, if the
        // operation was interrupted, from the process that carries it on).
        if (await finish(op, outcome.failure)) await finished(op, outcome.detail);
      });
    },

    async idle() {
      while (background.size > 0) await Promise.allSettled([...background]);
    },
  };
}
