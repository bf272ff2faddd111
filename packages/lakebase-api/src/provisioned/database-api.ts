import type { WorkspaceClient } from "@databricks/sdk-experimental";
import { parseErrorFromResponse } from "@databricks/sdk-experimental/dist/apierr.js";
import type {
  DatabaseCatalog,
  DatabaseInstance,
  SyncedDatabaseTable,
} from "@databricks/sdk-experimental/dist/apis/database/index.js";
import { withDeadline } from "../deadline.ts";
import { isNotFound } from "../errors.ts";

export type { DatabaseCatalog, DatabaseInstance, SyncedDatabaseTable };

export interface InstanceInput {
  name: string;
  capacity: string;
  node_count: number;
  enable_readable_secondaries?: boolean;
  retention_window_in_days?: number;
  /** The app's create marks the instance with its operation (its recovery finds it by these tags). */
  custom_tags?: { key: string; value: string }[];
}

export interface DatabaseApiOptions {
  /** Deadline of every call, the SDK's retries included (default 30 s; DATABRICKS_TIMEOUT_SECONDS). */
  timeoutMs?: number;
}

/**
 * The Lakebase Provisioned calls (the `database` API: instances, catalogs, synced tables), over the SDK. Getters answer null for 404 only; every other error is
 * thrown as the SDK's ApiError. Two calls bypass the SDK's typed methods because of its gaps (see each).
 * Every call has a deadline: the SDK's retry budget bounds its retries of 429, not a request that hangs.
 */
export class DatabaseApi {
  readonly #w: WorkspaceClient;
  readonly #timeoutMs: number;

  constructor(w: WorkspaceClient, options: DatabaseApiOptions = {}) {
    this.#w = w;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  getInstance(name: string): Promise<DatabaseInstance | null> {
    return this.#deadline(`GET instance ${name}`, () =>
      orNull(this.#w.database.getDatabaseInstance({ name })),
    );
  }

  getCatalog(name: string): Promise<DatabaseCatalog | null> {
    return this.#deadline(`GET catalog ${name}`, () => orNull(this.#w.database.getDatabaseCatalog({ name })));
  }

  getSyncedTable(name: string): Promise<SyncedDatabaseTable | null> {
    return this.#deadline(`GET synced table ${name}`, () =>
      orNull(this.#w.database.getSyncedDatabaseTable({ name })),
    );
  }

  /**
   * Only the POST: the SDK's waiter polls every second or more; the service polls at its own interval.
   */
  async createInstance(input: InstanceInput): Promise<DatabaseInstance> {
    return this.#deadline(`POST instance ${input.name}`, async () => {
      const waiter = await this.#w.database.createDatabaseInstance({ database_instance: input });
      return waiter;
    });
  }

  createCatalog(catalog: DatabaseCatalog): Promise<DatabaseCatalog> {
    return this.#deadline(`POST catalog ${catalog.name}`, () =>
      this.#w.database.createDatabaseCatalog({ catalog }),
    );
  }

  createSyncedTable(table: SyncedDatabaseTable): Promise<SyncedDatabaseTable> {
    return this.#deadline(`POST synced table ${table.name}`, () =>
      this.#w.database.createSyncedDatabaseTable({ synced_table: table }),
    );
  }

  /**
   * DELETE with `purge_data=true` (drop the Postgres table too), which the SDK's request type cannot carry:
   * sent through the SDK's own API client, so auth, retries of 429 and ApiError parsing stay the SDK's.
   */
  async deleteSyncedTable(name: string): Promise<void> {
    await this.#deadline(`DELETE synced table ${name}`, () =>
      this.#w.apiClient.request({
        path: `/api/2.0/database/synced_tables/${encodeURIComponent(name)}`,
        method: "DELETE",
        headers: new Headers({ Accept: "application/json" }),
        query: { purge_data: true },
        raw: false,
      }),
    );
  }

  async deleteCatalog(name: string): Promise<void> {
    await this.#deadline(`DELETE catalog ${name}`, () => this.#w.database.deleteDatabaseCatalog({ name }));
  }

  async deleteInstance(name: string): Promise<void> {
    // purge=false is refused by the service: deleting an instance always purges it.
    await this.#deadline(`DELETE instance ${name}`, () =>
      this.#w.database.deleteDatabaseInstance({ name, purge: true }),
    );
  }

  /**
   * Stops or starts the instance; with `customTags`, replaces its custom tags in the same PATCH (the app
   * records the operation on the instance with the very call that makes it: see apps/api lakebase/provisioned).
   */
  setStopped(
    name: string,
    stopped: boolean,
    customTags?: { key: string; value: string }[],
  ): Promise<DatabaseInstance> {
    return customTags
      ? this.#patch(name, "stopped,custom_tags", { stopped, custom_tags: customTags })
      : this.#patch(name, "stopped", { stopped });
  }

  /** Replaces the instance's custom tags (the whole list: keep the ones that are not yours). */
  setTags(name: string, customTags: { key: string; value: string }[]): Promise<DatabaseInstance> {
    return this.#patch(name, "custom_tags", { custom_tags: customTags });
  }

  /**
   * PATCH of an instance. The SDK sends PATCH without its body (so `updateDatabaseInstance` does nothing):
   * the request is sent here with the SDK's auth header, and errors parsed into its ApiError.
   */
  async #patch(name: string, updateMask: string, body: Record<string, unknown>): Promise<DatabaseInstance> {
    // Ends the request itself shortly after the deadline has answered the caller (which it always does first).
    const signal = AbortSignal.timeout(this.#timeoutMs + 1000);
    return this.#deadline(`PATCH instance ${name}`, async () => {
      const url = new URL(`/api/2.0/database/instances/${encodeURIComponent(name)}`, await this.#host());
      url.searchParams.set("update_mask", updateMask);
      for (let attempt = 1; ; attempt++) {
        const headers = new Headers({ Accept: "application/json", "Content-Type": "application/json" });
        await this.#w.config.authenticate(headers);
        const response = await fetch(url, {
          method: "PATCH",
          headers,
          body: JSON.stringify(body),
          signal,
        });
        const text = await response.text();
        if (response.ok) return (text ? JSON.parse(text) : { name }) as DatabaseInstance;
        // Like the SDK: 429 is retried (briefly, with backoff, within the deadline); the rest is the caller's.
        if (response.status === 429 && attempt < 5 && !signal.aborted) {
          await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
          continue;
        }
        throw parseErrorFromResponse(response.status, response.statusText, text);
      }
    });
  }

  async #host(): Promise<URL> {
    return this.#w.config.getHost();
  }

  /** Runs a call; past the deadline the caller gets a DeadlineError (code ETIMEDOUT: "unavailable"). */
  #deadline<T>(what: string, call: () => Promise<T>): Promise<T> {
    const seconds = Math.round(this.#timeoutMs / 1000);
    return withDeadline(call(), this.#timeoutMs, `Databricks did not answer ${what} within ${seconds} s`);
  }
}

async function orNull<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}
