import { withClient } from "@lakebase-orders/pg-local";
import type pg from "pg";
import type { Faults } from "../faults.ts";
import type { LogEvent } from "../state/context.ts";
import { type BatchHooks, openPipelineClient, pause } from "./connection.ts";
import { applyChanges } from "./incremental.ts";
import { addManager, ensureManagersCatalog, ensureWriterRole, takeOwnership } from "./ownership.ts";
import { analyze, buildExtraIndexes, copySnapshot, createSyncedTable, type TableRef } from "./snapshot.ts";
import { isSourceColumn } from "./source/columns.ts";
import type { Source } from "./source/source.ts";
import type { SyncProgress, SyncState } from "./sync-state.ts";
import type { SyncTarget } from "./target.ts";

/** One synced table as its pipeline sees it. */
export interface SyncedMember {
  name: string;
  ref: TableRef;
  state: SyncState;
  target: SyncTarget;
}

export interface TableSyncDeps {
  source: Source;
  faults: Faults;
  /** Pause between the initial snapshot's phases, so pollers can observe each. */
  stepMs: number;
  /** At most this many source changes per incremental transaction. */
  batchRows: number;
  save(): Promise<void>;
  log(event: LogEvent): void;
}

/**
 * What a pipeline does to one table, writing its progress and outcome into the table's SyncState: the
 * initial snapshot, a full-copy refresh, an incremental update. Each answers whether it succeeded; a
 * failure is recorded in the state (the table stays readable), never thrown.
 */
export class TableSync {
  readonly #deps: TableSyncDeps;

  constructor(deps: TableSyncDeps) {
    this.#deps = deps;
  }

  async initial(m: SyncedMember, signal: AbortSignal, continuous: boolean): Promise<boolean> {
    const s = m.state;
    const started = Date.now();
    const injected = this.#deps.faults.takePipelineFailure(s.pipeline_id);
    delete s.update_progress;
    try {
      await pause(this.#deps.stepMs, signal);
      this.#phase(
        s,
        "SYNCED_TABLE_PROVISIONING_PIPELINE_RESOURCES",
        "Pipeline resources are being provisioned.",
      );
      await pause(this.#deps.stepMs, signal);
      return await this.#session(m, signal, async (client, hooks) => {
        const writer = await ensureWriterRole(client);
        await ensureManagersCatalog(client);
        const head = await this.#deps.source.head();
        const total = await this.#deps.source.rowsAt(head.version);
        this.#phase(
          s,
          "SYNCED_TABLE_PROVISIONING_INITIAL_SNAPSHOT",
          "Synced table is loading its initial snapshot.",
        );
        s.initial_progress = progress(0, total, started, { provisioning_phase: "PROVISIONING_PHASE_MAIN" });
        await pause(this.#deps.stepMs, signal);
        if (injected) throw new Error(injected);
        // Validated against the source columns when the synced table was created.
        await createSyncedTable(client, m.ref, s.primary_key_columns.filter(isSourceColumn));
        await takeOwnership(client, m.ref, writer);
        if (s.creator) await addManager(client, m.ref, writer, await m.target.ensureRole(s.creator));
        await copySnapshot({
          client,
          source: this.#deps.source,
          target: m.ref,
          version: head.version,
          hooks,
          onProgress: (synced, total) => {
            s.initial_progress = progress(synced, total, started, {
              provisioning_phase: "PROVISIONING_PHASE_MAIN",
            });
          },
        });
        signal.throwIfAborted();
        if (s.extra_index_definitions.length > 0) {
          s.initial_progress = { ...s.initial_progress, provisioning_phase: "PROVISIONING_PHASE_INDEX_SORT" };
          await buildExtraIndexes(client, m.ref, writer, s.extra_index_definitions);
        }
        await analyze(client, m.ref);
        const done = s.initial_progress;
        s.initial_progress = {
          ...done,
          synced_row_count: done.total_row_count,
          sync_progress_completion: 1,
          estimated_completion_time_seconds: 0,
          provisioning_phase: "PROVISIONING_PHASE_MAIN",
        };
        // Before the table is online: once it is, a client may start the next update at once.
        await this.#afterLoad(m);
        s.unity_catalog_provisioning_state = "ACTIVE";
        await this.#synced(m, head.version, new Date(started), continuous);
        this.#deps.log({
          event: "synced_table_online",
          name: m.name,
          rows: done.total_row_count,
          version: head.version,
        });
        return true;
      });
    } catch (error) {
      if (signal.aborted) return false;
      s.unity_catalog_provisioning_state = "FAILED";
      await this.#failed(m, "SYNCED_TABLE_OFFLINE_FAILED", error);
      return false;
    }
  }

  /** A full copy (a SNAPSHOT table's every update; any table's full refresh). */
  async refresh(
    m: SyncedMember,
    signal: AbortSignal,
    options: { full: boolean; continuous: boolean },
  ): Promise<boolean> {
    const s = m.state;
    const started = Date.now();
    const injected = this.#deps.faults.takePipelineFailure(s.pipeline_id);
    this.#phase(
      s,
      options.continuous ? "SYNCED_TABLE_ONLINE_CONTINUOUS_UPDATE" : "SYNCED_TABLE_ONLINE_TRIGGERED_UPDATE",
      options.full ? "Synced table is being fully refreshed." : "Synced table is refreshing its snapshot.",
    );
    if (options.full) s.full_refresh_running = true;
    s.update_progress = progress(0, 0, started);
    await this.#deps.save();
    try {
      return await this.#session(m, signal, async (client, hooks) => {
        if (injected) throw new Error(injected);
        const head = await this.#deps.source.head();
        s.update_progress = progress(0, await this.#deps.source.rowsAt(head.version), started, {
          latest_version_currently_processing: head.version,
        });
        await copySnapshot({
          client,
          source: this.#deps.source,
          target: m.ref,
          version: head.version,
          hooks,
          onProgress: (synced, total) => {
            s.update_progress = progress(synced, total, started, {
              latest_version_currently_processing: head.version,
            });
          },
        });
        signal.throwIfAborted();
        if (s.extra_index_definitions.length > 0) {
          await buildExtraIndexes(client, m.ref, await ensureWriterRole(client), s.extra_index_definitions);
        }
        await analyze(client, m.ref);
        await this.#afterLoad(m);
        await this.#synced(m, head.version, new Date(started), options.continuous);
        this.#deps.log({
          event: "synced_table_refreshed",
          name: m.name,
          version: head.version,
          full: options.full,
        });
        return true;
      });
    } catch (error) {
      if (signal.aborted) return false;
      await this.#failed(m, "SYNCED_TABLE_ONLINE_PIPELINE_FAILED", error);
      return false;
    } finally {
      delete s.full_refresh_running;
    }
  }

  /**
   * The source's changes since the last processed version. A triggered update runs even when there is
   * nothing new (and moves `last_sync`); a continuous tick without changes does nothing.
   */
  async incremental(
    m: SyncedMember,
    signal: AbortSignal,
    options: { continuous: boolean },
  ): Promise<boolean> {
    const s = m.state;
    const started = Date.now();
    let head: Awaited<ReturnType<Source["head"]>>;
    try {
      head = await this.#deps.source.head();
    } catch (error) {
      if (signal.aborted) return false;
      await this.#failed(m, "SYNCED_TABLE_ONLINE_PIPELINE_FAILED", error);
      return false;
    }
    const from = s.last_processed_commit_version ?? 0;
    const wasFailed = s.detailed_state === "SYNCED_TABLE_ONLINE_PIPELINE_FAILED";
    if (options.continuous && head.version <= from && !wasFailed) return true;
    const injected = this.#deps.faults.takePipelineFailure(s.pipeline_id);
    if (!options.continuous) {
      this.#phase(s, "SYNCED_TABLE_ONLINE_TRIGGERED_UPDATE", "Synced table is applying a triggered update.");
    }
    try {
      const total = head.version > from ? await this.#deps.source.changeCount(from, head.version) : 0;
      s.update_progress = progress(0, total, started, { latest_version_currently_processing: from + 1 });
      if (injected) throw new Error(injected);
      if (head.version > from) {
        await this.#session(m, signal, (client, hooks) =>
          applyChanges({
            client,
            source: this.#deps.source,
            target: m.ref,
            primaryKey: s.primary_key_columns,
            from,
            to: head.version,
            batchRows: this.#deps.batchRows,
            hooks,
            signal,
            onBatch: (applied, total, version) => {
              s.update_progress = progress(applied, total, started, {
                latest_version_currently_processing: version,
              });
            },
            onVersion: async (version) => {
              s.last_processed_commit_version = version;
              s.last_processed_time = new Date().toISOString();
              await this.#deps.save();
            },
          }),
        );
      }
      await this.#synced(m, head.version, new Date(started), options.continuous);
      this.#deps.log({ event: "synced_table_updated", name: m.name, from, to: head.version });
      return true;
    } catch (error) {
      if (signal.aborted) return false;
      await this.#failed(m, "SYNCED_TABLE_ONLINE_PIPELINE_FAILED", error);
      return false;
    }
  }

  /** A pipeline session on the table's database, with the fault switches on each batch's COMMIT. */
  async #session<T>(
    m: SyncedMember,
    signal: AbortSignal,
    work: (client: pg.Client, hooks: BatchHooks) => Promise<T>,
  ): Promise<T> {
    const url = await m.target.connectionString();
    const pipelineId = m.state.pipeline_id;
    const session = await openPipelineClient(url, `lakebase-local pipeline ${pipelineId}`, signal);
    const { faults } = this.#deps;
    const hooks: BatchHooks = {
      beforeCommit: async (client) => {
        await pause(faults.pipelineDelayMs(pipelineId), signal);
        if (faults.takeConnectionDrop(pipelineId)) {
          const pid = (client as unknown as { processID: number }).processID;
          // With a timeout, pg_terminate_backend returns once the session is gone: the COMMIT then fails.
          await withClient(url, (admin) => admin.query("SELECT pg_terminate_backend($1, 5000)", [pid]));
        }
      },
    };
    try {
      return await work(session.client, hooks);
    } catch (error) {
      throw session.lost() ?? error;
    } finally {
      await session.close();
    }
  }

  /** The target's follow-up of a whole-table load; the data is in place already, so a failure only logs. */
  async #afterLoad(m: SyncedMember): Promise<void> {
    await m.target.afterLoad?.().catch((error: unknown) =>
      this.#deps.log({
        event: "synced_table_after_load_failed",
        name: m.name,
        error: error instanceof Error ? error.message : String(error),
      }),
    );
  }

  #phase(s: SyncState, state: SyncState["detailed_state"], message: string): void {
    s.detailed_state = state;
    s.message = message;
  }

  /** Every change up to `version` is in the table: the state an online table rests in. */
  async #synced(m: SyncedMember, version: number, started: Date, continuous: boolean): Promise<void> {
    const s = m.state;
    const end = new Date().toISOString();
    s.last_processed_commit_version = version;
    s.last_processed_time = end;
    s.last_sync = {
      start: started.toISOString(),
      end,
      commit_version: version,
      commit_time: await this.#deps.source.commitTime(version),
    };
    delete s.update_progress;
    delete s.failed_time;
    if (continuous)
      this.#phase(s, "SYNCED_TABLE_ONLINE_CONTINUOUS_UPDATE", "Synced table is continuously updated.");
    else
      this.#phase(s, "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE", "Synced table is online; no pending updates.");
    await this.#deps.save();
  }

  async #failed(m: SyncedMember, state: SyncState["detailed_state"], error: unknown): Promise<void> {
    const s = m.state;
    const message = error instanceof Error ? error.message : String(error);
    delete s.update_progress;
    s.failed_time = new Date().toISOString();
    this.#phase(s, state, `Pipeline ${s.pipeline_id} failed: ${message}`);
    this.#deps.log({ event: "synced_table_failed", name: m.name, state, error: message });
    await this.#deps.save();
  }
}

function progress(
  synced: number,
  total: number,
  started: number,
  extra: Partial<SyncProgress> = {},
): SyncProgress {
  const fraction = total === 0 ? (synced === 0 ? 0 : 1) : Math.min(1, synced / total);
  const elapsed = (Date.now() - started) / 1000;
  return {
    synced_row_count: synced,
    total_row_count: total,
    sync_progress_completion: Number(fraction.toFixed(4)),
    estimated_completion_time_seconds:
      fraction > 0 ? Math.max(0, Math.round((elapsed / fraction) * (1 - fraction))) : 0,
    ...extra,
  };
}
