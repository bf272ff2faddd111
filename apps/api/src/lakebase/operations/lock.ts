import { randomUUID } from "node:crypto";
import type { Logger } from "@lakebase-orders/log";
import { conflict } from "../../errors/domain-error.ts";
import { describeFailure } from "../admin/failures.ts";
import type { OperationView } from "../admin/types.ts";

/**
 * One lifecycle operation at a time in this process (create, delete, stop, start). Every change calls
 * `onChange` (the status poller looks again). Other processes are kept out by the operation lease (lease.ts).
 * What the status shows as the last operation is not kept here: it comes from what every process reads alike
 * (the journal and the resources, operations/outcome.ts), never from one process's memory.
 */
export class OperationLock {
  readonly #log: Logger;
  readonly #onChange: () => void;
  #running: OperationView | null = null;

  constructor(log: Logger, onChange: () => void) {
    this.#log = log;
    this.#onChange = onChange;
  }

  get running(): OperationView | null {
    return this.#running;
  }

  // Synchronous from the check to the assignment: two requests racing cannot both pass.
  begin(kind: OperationView["kind"], actor: string): OperationView {
    const running = this.#running;
    if (running) {
      throw conflict(
        `A ${running.kind} of the Lakebase resources is already running (started by ${running.actor} at ${running.startedAt}); try again when it has finished.`,
      );
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
    this.#running = op;
    this.#log.info("lakebase operation started", { operationId: op.id, kind, actor });
    return op;
  }

  /** Takes over an operation a stopped process left running (resumed here under its own id). */
  adopt(op: OperationView): void {
    const running = this.#running;
    if (running) throw conflict(`A ${running.kind} of the Lakebase resources is already running here.`);
    this.#running = op;
    this.#log.info("lakebase operation adopted", { operationId: op.id, kind: op.kind, actor: op.actor });
    this.#onChange();
  }

  /** Lets go of an operation that never started (another process holds the lease): no record is kept. */
  abandon(op: OperationView): void {
    if (this.#running === op) this.#running = null;
  }

  /**
   * Lets go of an operation that stopped without an outcome of its own (the app is closing, or another
   * process took its lease): it stays running in the journal for the process that carries it on.
   */
  release(op: OperationView, why: string): void {
    if (this.#running === op) this.#running = null;
    this.#onChange();
    this.#log.warn("lakebase operation left to another process", {
      operationId: op.id,
      kind: op.kind,
      step: op.step,
      why,
    });
  }

  step(op: OperationView, step: string): void {
    op.step = step;
    this.#onChange();
  }

  /**
   * Records the outcome (`error` undefined: succeeded), and keeps the lock until `end`: until the journal
   * has the outcome too, this process shows it as it will read there, rather than an older row, or the
   * resources' view of it (no finish time), which the status would then report as one more change.
   */
  conclude(op: OperationView, error: unknown): void {
    op.finishedAt = new Date().toISOString();
    op.outcome = error === undefined ? "succeeded" : "failed";
    op.error = error === undefined ? null : describeFailure(error).message;
    op.step = error === undefined ? "done" : `failed while ${op.step}`;
    this.#onChange();
    (error === undefined ? this.#log.info : this.#log.warn)("lakebase operation finished", {
      operationId: op.id,
      kind: op.kind,
      outcome: op.outcome,
      error: op.error,
    });
  }

  /** Releases the lock of a concluded operation. */
  end(op: OperationView): void {
    if (this.#running === op) this.#running = null;
    this.#onChange();
  }
}
