import type { ServiceContext } from "../state/context.ts";
import type { SyncedTableRecord } from "../state/records.ts";
import { runSnapshotPipeline } from "./snapshot.ts";
import { isSourceColumn } from "./source.ts";

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * The sync pipelines of synced tables: each runs the initial snapshot and writes its progress and outcome
 * into the table's `data_synchronization_status`, as the service's pipeline does.
 */
export class Pipelines {
  readonly #ctx: ServiceContext;
  readonly #running = new Map<string, Running>();

  constructor(ctx: ServiceContext) {
    this.#ctx = ctx;
  }

  start(record: SyncedTableRecord, rows = this.#ctx.deps.sourceRows): void {
    const { deps } = this.#ctx;
    const controller = new AbortController();
    const status = record.data_synchronization_status;
    const [, schema, table] = record.name.split(".") as [string, string, string];
    const startedAt = new Date().toISOString();
    const injectedFailure = deps.faults.takePipelineFailure();
    const done = runSnapshotPipeline({
      cluster: deps.cluster,
      database: this.#ctx.physical(record.database_instance_name, record.logical_database_name),
      schema,
      table,
      // Validated against the source columns when the synced table was created.
      primaryKey: record.spec.primary_key_columns.filter(isSourceColumn),
      rows,
      timings: { stepMs: deps.timings.pipelineStepMs },
      ...(injectedFailure !== undefined ? { injectedFailure } : {}),
      signal: controller.signal,
      onPhase: (phase) => {
        status.detailed_state = `SYNCED_TABLE_${phase}`;
        status.message =
          phase === "PROVISIONING_INITIAL_SNAPSHOT"
            ? "Synced table is loading its initial snapshot."
            : "Pipeline resources are being provisioned.";
      },
      onProgress: (progress) => {
        status.provisioning_status = { initial_pipeline_sync_progress: progress };
      },
    }).then(
      async () => {
        status.detailed_state = "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE";
        status.message = "Synced table is online; no pending updates.";
        status.last_sync = { sync_start_timestamp: startedAt, sync_end_timestamp: new Date().toISOString() };
        record.unity_catalog_provisioning_state = "ACTIVE";
        this.#ctx.log({ event: "synced_table_online", name: record.name, rows });
        await this.#ctx.save();
      },
      async (error: unknown) => {
        if (controller.signal.aborted) return;
        const message = error instanceof Error ? error.message : String(error);
        status.detailed_state = "SYNCED_TABLE_OFFLINE_FAILED";
        status.message = `Pipeline ${status.pipeline_id} failed: ${message}`;
        status.failed_status = { timestamp: new Date().toISOString() };
        record.unity_catalog_provisioning_state = "FAILED";
        this.#ctx.log({ event: "synced_table_failed", name: record.name, error: message });
        await this.#ctx.save();
      },
    );
    const entry = { controller, done };
    this.#running.set(record.name, entry);
    void done.finally(() => {
      if (this.#running.get(record.name) === entry) this.#running.delete(record.name);
    });
  }

  /** Resolves when the synced table's pipeline has finished (or at once when none runs). */
  async wait(name: string): Promise<void> {
    await this.#running.get(name)?.done;
  }

  async cancel(name: string): Promise<void> {
    const running = this.#running.get(name);
    if (!running) return;
    running.controller.abort(new Error("synced table deleted"));
    await running.done;
  }

  async cancelAll(): Promise<void> {
    for (const name of [...this.#running.keys()]) await this.cancel(name);
  }
}
