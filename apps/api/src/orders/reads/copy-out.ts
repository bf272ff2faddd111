import { finished, Readable } from "node:stream";
import type pg from "pg";
import { to as copyTo } from "pg-copy-streams";

export interface CopyOutOptions {
  /** The statement's own deadline, on the server and in the driver (the pool's are for short reads). */
  timeoutMs: number;
  /**
   * Cancels the copy, whatever it is doing (waiting for a connection, sorting before its first row,
   * streaming): its backend is cancelled (`pg_cancel_backend`) and its connection closed.
   */
  signal?: AbortSignal;
  /**
   * Runs in the copy's transaction before the COPY, on its connection (e.g. to take advisory locks that end
   * with it); what it throws ends the copy before it starts, and is thrown as is.
   */
  prepare?: (client: pg.PoolClient) => Promise<void>;
  /** Called once, as soon as the last byte is out or the copy failed or was cancelled. */
  onEnd?: () => void;
  /** Called once, after `onEnd`, with what was written (and the error of a copy that failed or was cancelled). */
  onDone?: (result: { rows: number; bytes: number; error?: unknown }) => void;
}

/** pg arms its client-side read timeout through the query's `callback`, which a COPY stream never calls. */
type CopyStream = ReturnType<typeof copyTo> & {
  query_timeout?: number;
  callback?: (error: Error | null) => void;
};

/**
 * How often the backend checks that the client is still there while it works (PostgreSQL 14+): a sort for
 * an abandoned export stops within this long even when the cancel below cannot reach it.
 */
const CLIENT_CHECK_MS = 500;

/**
 * Runs `COPY ... TO STDOUT` on a client of `pool` and hands its output out as a web stream, with
 * backpressure: PostgreSQL sends only as fast as the HTTP client reads, so memory stays constant whatever
 * the table's size. The client goes back to the pool when the copy ends. A copy that fails or is cancelled
 * (the HTTP client went away, before or after the first byte) has its backend cancelled from another
 * connection of the pool and its own connection closed: closing alone is noticed by PostgreSQL only when it
 * next writes, which for a sort can be seconds or minutes later.
 */
export async function copyOut(
  pool: pg.Pool,
  statement: string,
  options: CopyOutOptions,
): Promise<ReadableStream<Uint8Array>> {
  options.signal?.throwIfAborted();
  const client = await pool.connect();
  let backend: { pid: number; started: string | null } | undefined;
  try {
    options.signal?.throwIfAborted();
    // A transaction to scope the settings (and whatever `prepare` takes): they end with it. A bulk download
    // sorts on one core: parallel workers are for the interactive reads beside it.
    await client.query("BEGIN READ ONLY");
    const { rows } = await client.query<{ pid: number; started: string | null }>(
      `SELECT pg_backend_pid() AS pid,
              (SELECT backend_start::text FROM pg_stat_activity WHERE pid = pg_backend_pid()) AS started,
              set_config('statement_timeout', $1, true),
              set_config('client_connection_check_interval', $2, true),
              set_config('max_parallel_workers_per_gather', '0', true)`,
      [String(Math.max(0, Math.floor(options.timeoutMs))), String(CLIENT_CHECK_MS)],
    );
    backend = rows[0];
    await options.prepare?.(client);
    options.signal?.throwIfAborted();
  } catch (error) {
    client.release(true);
    throw error;
  }
  const stream = copyTo(statement) as CopyStream;
  // pg's client-side deadline: the export's own instead of the pool's (made for short reads).
  stream.query_timeout = options.timeoutMs;
  const copy = client.query(stream);
  const web = Readable.toWeb(copy) as ReadableStream<Uint8Array>;
  let settled = false;
  const stop = (reason: unknown) => {
    if (settled) return;
    // Cancelled first, from another connection, while this one is still open: the pid cannot have been
    // reused, and backend_start makes sure of it whenever the cancel gets its connection.
    if (backend?.started) {
      pool
        .query(
          "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE pid = $1 AND backend_start::text = $2",
          [backend.pid, backend.started],
        )
        .catch(() => undefined);
    }
    copy.destroy(reason instanceof Error ? reason : new Error("export cancelled"));
  };
  const onAbort = () => stop(options.signal?.reason);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  // Aborted while BEGIN was on its way: a listener added after the abort is never called.
  if (options.signal?.aborted) onAbort();
  let bytes = 0;
  // Counting only: the web stream's pauses (backpressure) stop these events too.
  copy.on("data", (chunk: Buffer) => {
    bytes += chunk.length;
  });
  finished(copy, (error) => {
    if (settled) return;
    settled = true;
    options.signal?.removeEventListener("abort", onAbort);
    // Clears pg's read timer (see CopyStream); its wrapper then does nothing more.
    copy.callback?.(null);
    options.onEnd?.();
    if (error) {
      client.release(true);
      options.onDone?.({ rows: copy.rowCount, bytes, error });
      return;
    }
    client.query("COMMIT").then(
      () => {
        client.release();
        options.onDone?.({ rows: copy.rowCount, bytes });
      },
      (commitError: unknown) => {
        client.release(true);
        options.onDone?.({ rows: copy.rowCount, bytes, error: commitError });
      },
    );
  });
  return startedStream(web, stop);
}

/**
 * The stream once its first bytes (the header line) are in: a statement that fails at once (a missing table,
 * a timeout while sorting) is still an error the route can answer with a status, rather than a download cut
 * short. Pulls only when its reader asks, so backpressure reaches PostgreSQL unchanged; a reader that cancels
 * (the HTTP client went away) stops the copy.
 */
async function startedStream(
  web: ReadableStream<Uint8Array>,
  stop: (reason: unknown) => void,
): Promise<ReadableStream<Uint8Array>> {
  const reader = web.getReader();
  const first = await reader.read();
  let pending = first.done ? undefined : first.value;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (pending) {
          controller.enqueue(pending);
          pending = undefined;
          return;
        }
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel: (reason) => {
        stop(reason);
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
