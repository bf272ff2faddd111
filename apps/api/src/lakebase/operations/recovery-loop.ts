import type { DatabaseApi } from "@lakebase-orders/lakebase-api";
import type { Logger } from "@lakebase-orders/log";
import { isAppIdle } from "../../start/activity.ts";
import { describeFailure } from "../admin/failures.ts";
import type { LakebaseNamesView, OperationView } from "../admin/types.ts";
import type { StatusReader } from "../status/reader.ts";
import type { OperationOutcomes } from "./flavour.ts";
import type { JournalRow, OperationJournal } from "./journal.ts";
import type { OperationLeases } from "./lease.ts";
import type { OperationLock } from "./lock.ts";
import type { BackgroundOutcome, Operations } from "./operations.ts";
import { judgeInterrupted, viewOf } from "./outcome.ts";
import { planRecovery } from "./recovery.ts";
import type { Workflow } from "./workflow.ts";

export interface RecoveryLoopOptions<A = DatabaseApi> {
  /** The flavour's API (the service principal's), for the workflow of an operation taken over. */
  api: A;
  names: LakebaseNamesView;
  reader: StatusReader;
  journal: OperationJournal | null;
  databaseReady: () => boolean;
  lock: OperationLock;
  leases: OperationLeases;
  ops: Operations;
  /** The flavour's word on where an operation stands (operations/flavour.ts). */
  outcomes: OperationOutcomes;
  /**
   * The flavour's way to carry on an operation taken over: the rest of a create or a delete, or the wait of
   * a stop or start until Databricks shows it done.
   */
  resume: (op: OperationView, w: Workflow<A>) => Promise<BackgroundOutcome>;
  leaseMs: number;
  intervalMs: number;
  log: Logger;
  /** The audit row of a take-over. */
  onOperationResumed?: (op: OperationView, detail: unknown) => Promise<void>;
}

export interface RecoveryLoop {
  /** Looks (again) for what a stopped process left, until it could decide; one loop at a time. */
  recover(): Promise<void>;
  /**
   * A running row whose lease ran out, in the way of a claim: ended as the resources show it, or (a create or
   * delete that stopped half-way, which a new operation now replaces) as interrupted.
   */
  settleStale(row: JournalRow): Promise<void>;
  close(): Promise<void>;
}

/** Consecutive decisions made without a pause (each records something, so the next look differs). */
const MAX_STEPS_WITHOUT_PAUSE = 5;

/**
 * Acts on `planRecovery`'s findings: records what the resources show as ended (an outcome audit row each),
 * takes over and resumes what is not, retrying with backoff while it cannot decide yet (Databricks or the
 * database does not answer, another process's lease has not run out).
 */
export function createRecoveryLoop<A = DatabaseApi>(o: RecoveryLoopOptions<A>): RecoveryLoop {
  const { api, names, log, ops } = o;
  const abandonedSince = new Map<string, number>();
  const stopping = new AbortController();
  let recovering: Promise<void> | null = null;
  let again = false;

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      stopping.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      });
    });

  const settle = async (
    row: JournalRow,
    ended: { outcome: "succeeded" | "failed"; step: string; error: string | null; why: string },
  ) => {
    if (!o.journal || !(await o.journal.settle(row.id, ended))) return;
    const op: OperationView = {
      ...viewOf(row, ended.step),
      outcome: ended.outcome,
      error: ended.error,
      finishedAt: new Date().toISOString(),
    };
    log.warn("lakebase operation settled from the resources", {
      operationId: row.id,
      kind: row.kind,
      outcome: ended.outcome,
      why: ended.why,
      previousStep: row.step,
    });
    await ops.finished(op, { settledFromResources: true, why: ended.why, previousStep: row.step });
  };

  const run = async (op: OperationView, claimed: boolean, previousStep: string) => {
    ops.adopt(op, claimed);
    log.warn("lakebase operation resumed", { operationId: op.id, kind: op.kind, previousStep });
    await o
      .onOperationResumed?.({ ...op }, { previousStep })
      .catch((e: unknown) => log.error("operation hook failed", { error: describeFailure(e) }));
    const w = ops.workflow(api);
    ops.runInBackground(op, () => o.resume(op, w));
  };

  const once = async (): Promise<"done" | "wait" | "again"> => {
    if (o.databaseReady()) await o.leases.flush();
    if (stopping.signal.aborted) return "done";
    const plan = await planRecovery({ ...o, abandonedSince });
    switch (plan.action) {
      case "none":
        return "done";
      case "wait":
        log.debug("lakebase recovery waiting", { reason: plan.reason });
        return "wait";
      case "settle":
        await settle(plan.row, plan);
        return "again";
      case "record": {
        if (await o.journal?.record(plan.op, names.instanceName)) {
          log.warn("lakebase operation recorded from the resources", {
            operationId: plan.op.id,
            kind: plan.op.kind,
            outcome: plan.op.outcome,
          });
          await ops.finished(plan.op, { recordedFromResources: true });
        }
        return "again";
      }
      case "take-over": {
        // This process is busy with an operation of its own (it got the lease some other way): later.
        if (o.lock.running) return "wait";
        const row = await o.journal?.takeOver(plan.row.id, "resuming after a restart");
        if (!row) return "again";
        await run(viewOf(row, `resuming after a restart (was: ${plan.row.step})`), true, plan.row.step);
        return "done";
      }
      case "resume": {
        if (o.lock.running) return "wait";
        let claimed = false;
        if (o.journal && o.databaseReady()) {
          const result = await o.journal.claim(plan.op, names.instanceName).catch(() => null);
          if (result && !result.claimed && result.holder?.live) return "wait";
          claimed = result?.claimed ?? false;
        }
        await run(plan.op, claimed, `${plan.op.kind} interrupted before its database could hold a lease`);
        return "done";
      }
    }
  };

  return {
    recover() {
      if (recovering) {
        again = true;
        return recovering;
      }
      recovering = (async () => {
        let steps = 0;
        for (let attempt = 1; !stopping.signal.aborted; attempt++) {
          // Nobody uses the app: no query, so a scale-to-zero endpoint can suspend; look again later.
          if (attempt > 1 && isAppIdle()) {
            await pause(Math.min(o.intervalMs * 16, 30_000, o.leaseMs));
            continue;
          }
          again = false;
          const outcome = await once().catch((error: unknown) => {
            log.warn("lakebase recovery failed; will retry", { error: describeFailure(error) });
            return "wait" as const;
          });
          if (outcome === "done" && !again) return;
          if (outcome === "again" && ++steps < MAX_STEPS_WITHOUT_PAUSE) continue;
          steps = 0;
          // A lease runs out within one lease: no need to wait longer than that between looks.
          await pause(Math.min(o.intervalMs * 2 ** Math.min(attempt, 4), 30_000, o.leaseMs));
        }
      })().finally(() => {
        recovering = null;
      });
      return recovering;
    },

    async settleStale(row) {
      const judged = judgeInterrupted(row, await o.reader.read(0), o.outcomes);
      if (judged.action === "settle") {
        await settle(row, judged);
        return;
      }
      // Half-way through a create or delete, and a new operation goes ahead instead of resuming it.
      await settle(row, {
        outcome: "failed",
        step: `interrupted: ${row.step}`,
        error: "interrupted: the process running it stopped; a new operation went ahead",
        why: "its process stopped and a new operation needed the lease",
      });
    },

    async close() {
      stopping.abort();
      await recovering?.catch(() => undefined);
    },
  };
}
