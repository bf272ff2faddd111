import type { WorkspaceClient } from "@databricks/sdk-experimental";
import { parseErrorFromResponse } from "@databricks/sdk-experimental/dist/apierr.js";
import type {
  DatabaseCatalog,
  DatabaseInstance,
  SyncedDatabaseTable,
} from "@databricks/sdk-experimental/dist/apis/database/index.js";
import { isNotFound } from "./databricks-errors.ts";

export type { DatabaseCatalog, DatabaseInstance, SyncedDatabaseTable };

export interface InstanceInput {
  name: string;
  capacity: string;
  node_count: number;
  enable_readable_secondaries?: boolean;
  retention_window_in_days?: number;
}

/**
 * The Lakebase calls the admin makes, over the SDK. Getters answer null for 404 only; every other error is
 * thrown as the SDK's ApiError. Two calls bypass the SDK's typed methods because of its gaps (see each).
 */
export class LakebaseApi {
  readonly #w: WorkspaceClient;

  constructor(w: WorkspaceClient) {
    this.#w = w;
  }

  getInstance(name: string): Promise<DatabaseInstance | null> {
    return orNull(this.#w.database.getDatabaseInstance({ name }));
  }

  getCatalog(name: string): Promise<DatabaseCatalog | null> {
    return orNull(this.#w.database.getDatabaseCatalog({ name }));
  }

  getSyncedTable(name: string): Promise<SyncedDatabaseTable | null> {
    return orNull(this.#w.database.getSyncedDatabaseTable({ name }));
  }

  /** Only the POST: the SDK's waiter polls every second or more; the service polls at its own interval. */
  async createInstance(input: InstanceInput): Promise<DatabaseInstance> {
    const waiter = await this.#w.database.createDatabaseInstance({ database_instance: input });
    return waiter;
  }

  createCatalog(catalog: DatabaseCatalog): Promise<DatabaseCatalog> {
    return this.#w.database.createDatabaseCatalog({ catalog });
  }

  createSyncedTable(table: SyncedDatabaseTable): Promise<SyncedDatabaseTable> {
    return this.#w.database.createSyncedDatabaseTable({ synced_table: table });
  }

  /**
   * DELETE with `purge_data=true` (drop the Postgres table too), which the SDK's request type cannot carry:
   * sent through the SDK's own API client, so auth, retries of 429 and ApiError parsing stay the SDK's.
   */
  async deleteSyncedTable(name: string): Promise<void> {
    await this.#w.apiClient.request({
      path: `/api/2.0/database/synced_tables/${encodeURIComponent(name)}`,
      method: "DELETE",
      headers: new Headers({ Accept: "application/json" }),
      query: { purge_data: true },
      raw: false,
    });
  }

  async deleteCatalog(name: string): Promise<void> {
    await this.#w.database.deleteDatabaseCatalog({ name });
  }

  async deleteInstance(name: string): Promise<void> {
    // purge=false is refused by the service: deleting an instance always purges it.
    await this.#w.database.deleteDatabaseInstance({ name, purge: true });
  }

  /**
   * Stops or starts the instance. The SDK sends PATCH without its body (so `updateDatabaseInstance` does
   * nothing): the request is sent here with the SDK's auth header, and errors parsed into its ApiError.
   */
  async setStopped(name: string, stopped: boolean): Promise<DatabaseInstance> {
    const url = new URL(`/api/2.0/database/instances/${encodeURIComponent(name)}`, await this.#host());
    url.searchParams.set("update_mask", "stopped");
    for (let attempt = 1; ; attempt++) {
      const headers = new Headers({ Accept: "application/json", "Content-Type": "application/json" });
      await this.#w.config.authenticate(headers);
      const response = await fetch(url, { method: "PATCH", headers, body: JSON.stringify({ stopped }) });
      const text = await response.text();
      if (response.ok) return (text ? JSON.parse(text) : { name }) as DatabaseInstance;
      // Like the SDK: 429 is retried (briefly, with backoff); everything else is the caller's.
      if (response.status === 429 && attempt < 5) {
        await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
        continue;
      }
      throw parseErrorFromResponse(response.status, response.statusText, text);
    }
  }

  async #host(): Promise<URL> {
    return this.#w.config.getHost();
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
