import pg from "pg";

/** Waits `ms`, or rejects with the signal's reason once it aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * A session of the pipeline on the target database, named so that `pg_stat_activity` shows whose it is.
 * Aborting the signal ends it (a running COPY or batch fails and rolls back).
 */
export async function openPipelineClient(
  connectionString: string,
  applicationName: string,
  signal: AbortSignal,
): Promise<{ client: pg.Client; close(): Promise<void>; lost(): Error | undefined }> {
  signal.throwIfAborted();
  const client = new pg.Client({ connectionString, application_name: applicationName });
  // Dropping the database (an instance deleted mid-sync) or a terminated backend ends this session: the
  // pending query fails the run; unheard, the client's "error" would take the whole local Lakebase down.
  // Kept, because the next query only says the client "is not queryable".
  let lost: Error | undefined;
  client.on("error", (error) => {
    lost ??= error;
  });
  await client.connect();
  const abort = () => void client.end().catch(() => undefined);
  signal.addEventListener("abort", abort, { once: true });
  return {
    client,
    lost: () => lost,
    close: async () => {
      signal.removeEventListener("abort", abort);
      await client.end().catch(() => undefined);
    },
  };
}

/** What the fault switches do to a pipeline batch just before it commits (see faults.ts). */
export interface BatchHooks {
  beforeCommit(client: pg.Client): Promise<void>;
}

export const NO_HOOKS: BatchHooks = { beforeCommit: () => Promise.resolve() };

export async function inTransaction<T>(
  client: pg.Client,
  hooks: BatchHooks,
  work: () => Promise<T>,
): Promise<T> {
  await client.query("BEGIN");
  try {
    const result = await work();
    await hooks.beforeCommit(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
