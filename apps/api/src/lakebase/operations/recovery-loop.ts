import type { DatabaseApi } from "@lakebase-orders/lakebase-api";
import type { Logger } from "@lakebase-orders/log";
import { describeFailure } from "../admin/failures.ts";
import type { LakebaseNamesView, OperationView } from "../admin/types.ts";
import { startCreate } from "../provisioned/provisioning.ts";
import type { StatusReader } from "../status/reader.ts";
import { instanceStatus } from "../status/snapshot.ts";
import type { OperationJournal } from "./journal.ts";
import type { OperationLeases } from "./lease.ts";
import type { OperationLock } from "./lock.ts";
import type { Operations } from "./operations.ts";
import { planRecovery, viewOf } from "./recovery.ts";

export interface RecoveryLoopOptions {
  api: DatabaseApi;
  names: LakebaseNamesView;
  reader: StatusReader;
  journal: OperationJournal | null;
  databaseReady: () => boolean;
  lock: OperationLock;
  leases: OperationLeases;
  ops: Operations;
  leaseMs: number;
  intervalMs: number;
  log: Logger;
  /** The audit row of a take-over. */
  onOperationResumed?: (op: OperationView, detail: unknown) => Promise<void>;
}

export interface RecoveryLoop {
  /** Looks (again) for what a stopped process left, until it could decide; one loop at a time. */
  recover(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Acts on `planRecovery`'s findings: takes over and resumes a create or delete (stop and start are checked
 * against Databricks and reported), retrying with backoff while it cannot decide yet (Databricks or the
 * database does not answer, another process's lease has not run out).
 */
export function createRecoveryLoop(o: RecoveryLoopOptions): RecoveryLoop {
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

  const resume = async (op: OperationView, previousStep: string) => {
    log.warn("lakebase operation resumed", { operationId: op.id, kind: op.kind, previousStep });
    await o
      .onOperationResumed?.({ ...op }, { previousStep })
      .catch((e: unknown) => log.error("operation hook failed", { error: describeFailure(e) }));
    const w = ops.workflow(api);
    if (op.kind === "create") {
      try {
        const result = await startCreate(
          w,
          op,
          { capacity: "CU_1", nodeCount: 1 },
          { createInstance: false },
        );
        ops.provisionInBackground(w, op, result);
      } catch (error) {
        await ops.finish(op, error);
        await ops.finished(op, { previousStep });
      }
    } else if (op.kind === "delete") {
      ops.deleteInBackground(w, op);
    } else {
      // Stop and start are one call: whether it landed, Databricks says.
      const raw = await api.getInstance(names.instanceName).catch(() => null);
      const instance = raw ? instanceStatus(raw) : null;
      o.lock.step(op, "checking what Databricks did after a restart");
      const landed = instance !== null && instance.stopped === (op.kind === "stop");
      await ops.finish(
        op,
        landed
          ? undefined
          : new Error(
              `interrupted: its process stopped before Databricks confirmed it (the instance is ${instance?.state ?? "absent"}); run it again`,
            ),
      );
      await ops.finished(op, { previousStep, instance });
    }
  };

  const once = async (): Promise<"done" | "wait"> => {
    if (o.databaseReady()) await o.leases.flush();
    if (stopping.signal.aborted || o.lock.running) return "done";
    const plan = await planRecovery({ ...o, abandonedSince });
    if (plan.action === "none") return "done";
    if (plan.action === "wait") {
      log.debug("lakebase recovery waiting", { reason: plan.reason });
      return "wait";
    }
    if (plan.action === "take-over") {
      const row = await o.journal?.takeOver(plan.row.id, "resuming after a restart");
      if (!row) return "done";
      const op = viewOf(row, `resuming after a restart (was: ${plan.row.step})`);
      ops.adopt(op, true);
      await resume(op, plan.row.step);
      return "done";
    }
    let claimed = false;
    if (o.journal && o.databaseReady()) {
      const result = await o.journal.claim(plan.op, names.instanceName).catch(() => null);
      if (result && !result.claimed && result.holder?.live) return "done";
      claimed = result?.claimed ?? false;
    }
    ops.adopt(plan.op, claimed);
    await resume(plan.op, "create interrupted before its database existed");
    return "done";
  };

  return {
    recover() {
      if (recovering) {
        again = true;
        return recovering;
      }
      recovering = (async () => {
        for (let attempt = 1; !stopping.signal.aborted; attempt++) {
          again = false;
          const outcome = await once().catch((error: unknown) => {
            log.warn("lakebase recovery failed; will retry", { error: describeFailure(error) });
            return "wait" as const;
          });
          if (outcome === "done" && !again) return;
          // A lease runs out within one lease: no need to wait longer than that between looks.
          if (outcome === "wait") {
            await pause(Math.min(o.intervalMs * 2 ** Math.min(attempt, 4), 30_000, o.leaseMs));
          }
        }
      })().finally(() => {
        recovering = null;
      });
      return recovering;
    },
    async close() {
      stopping.abort();
      await recovering?.catch(() => undefined);
    },
  };
}
