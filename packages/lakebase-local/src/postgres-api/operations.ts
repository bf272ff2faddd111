import { randomUUID } from "node:crypto";
import { LakebaseApiError } from "../api-error.ts";
import type { LogEvent } from "../state/context.ts";
import { notFound } from "./errors.ts";

export type OperationKind =
  | "Project"
  | "Branch"
  | "Endpoint"
  | "Database"
  | "Role"
  | "Catalog"
  | "SyncedTable";

export interface OperationJson {
  name: string;
  done: boolean;
  metadata: { "@type": string };
  response?: unknown;
  error?: { error_code: string; message: string };
}

/** Operations kept for polling; older ones are forgotten first (a client polls within seconds). */
const KEPT = 2_000;
const EMPTY = { "@type": "type.googleapis.com/google.protobuf.Empty" };

/**
 * Long-running operations as the `postgres` API returns them for every mutation: `{name, done, metadata}`,
 * then `response` (the resource, or Empty for a delete) or `error`. The work runs in the background and
 * the operation says `done: false` until it has really finished (a cluster copied, a compute started).
 * Operations live in memory: a restarted local Lakebase has forgotten them (poll the resource instead).
 */
export class Operations {
  readonly #ops = new Map<string, OperationJson>();
  readonly #running = new Set<Promise<void>>();
  readonly #log: (event: LogEvent) => void;

  constructor(log: (event: LogEvent) => void) {
    this.#log = log;
  }

  /**
   * Starts `work` for `resource` and returns its operation. The work's result is the operation's response
   * (undefined: a delete's Empty). A synchronous result makes the operation done at once.
   */
  start(resource: string, kind: OperationKind, work: () => unknown): OperationJson {
    const op: OperationJson = {
      name: `${resource}/operations/${randomUUID()}`,
      done: false,
      metadata: { "@type": `type.googleapis.com/databricks.postgres.v1.${kind}OperationMetadata` },
    };
    this.#keep(op);
    let result: unknown;
    try {
      result = work();
    } catch (error) {
      this.#fail(op, error);
      return { ...op };
    }
    if (!(result instanceof Promise)) {
      this.#finish(op, result);
      return { ...op };
    }
    const tracked = result.then(
      (value: unknown) => this.#finish(op, value),
      (error: unknown) => this.#fail(op, error),
    );
    this.#running.add(tracked);
    void tracked.finally(() => this.#running.delete(tracked));
    return { ...op };
  }

  get(name: string): OperationJson {
    const op = this.#ops.get(name);
    if (!op) throw notFound("operation");
    return { ...op };
  }

  /** Waits for the work already running (stop() calls it after stopping new work). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.#running]);
  }

  #finish(op: OperationJson, value: unknown): void {
    op.done = true;
    op.response = value === undefined ? EMPTY : value;
  }

  #fail(op: OperationJson, error: unknown): void {
    op.done = true;
    if (error instanceof LakebaseApiError) {
      op.error = { error_code: error.errorCode, message: error.message };
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    this.#log({ event: "operation_failed", operation: op.name, error: message });
    op.error = { error_code: "INTERNAL_ERROR", message };
  }

  #keep(op: OperationJson): void {
    this.#ops.set(op.name, op);
    if (this.#ops.size > KEPT) {
      const oldest = this.#ops.keys().next().value;
      if (oldest !== undefined) this.#ops.delete(oldest);
    }
  }
}
