import { finished, Readable } from "node:stream";
import type pg from "pg";
import { to as copyTo } from "pg-copy-streams";

export interface CopyOutOptions {
  /** The statement's own deadline, on the server and in the driver (the pool's are for short reads). */
  timeoutMs: number;
  /** Cancels the copy (its connection is closed). */
  signal?: AbortSignal;
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
 * Runs `COPY ... TO STDOUT` on a client of `pool` and hands its output out as a web stream, with
 * backpressure: PostgreSQL sends only as fast as the HTTP client reads, so memory stays constant whatever
 * the table's size. The client goes back to the pool when the copy ends; a copy that fails or is cancelled
 * (the HTTP client went away) closes its connection instead, the only way to stop a COPY mid-flight.
 */
export async function copyOut(
  pool: pg.Pool,
  statement: string,
  options: CopyOutOptions,
): Promise<ReadableStream<Uint8Array>> {
  options.signal?.throwIfAborted();
  const client = await pool.connect();
  try {
    options.signal?.throwIfAborted();
    // A transaction only to scope the timeout: SET LOCAL ends with it.
    await client.query("BEGIN READ ONLY");
    await client.query(`SET LOCAL statement_timeout = ${Math.max(0, Math.floor(options.timeoutMs))}`);
  } catch (error) {
    client.release(true);
    throw error;
  }
  const stream = copyTo(statement) as CopyStream;
  // pg's client-side deadline: the export's own instead of the pool's (made for short reads).
  stream.query_timeout = options.timeoutMs;
  const copy = client.query(stream);
  const web = Readable.toWeb(copy) as ReadableStream<Uint8Array>;
  const cancel = () => copy.destroy(new Error("export cancelled"));
  options.signal?.addEventListener("abort", cancel, { once: true });
  // Replaced while BEGIN was on its way: a listener added after the abort is never called.
  if (options.signal?.aborted) cancel();
  let bytes = 0;
  // Counting only: the web stream's pauses (backpressure) stop these events too.
  copy.on("data", (chunk: Buffer) => {
    bytes += chunk.length;
  });
  let settled = false;
  finished(copy, (error) => {
    if (settled) return;
    settled = true;
    options.signal?.removeEventListener("abort", cancel);
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
  return startedStream(web);
}

/**
 * The stream once its first bytes (the header line) are in: a statement that fails at once (a missing table,
 * a timeout while sorting) is still an error the route can answer with a status, rather than a download cut
 * short. Pulls only when its reader asks, so backpressure reaches PostgreSQL unchanged.
 */
async function startedStream(web: ReadableStream<Uint8Array>): Promise<ReadableStream<Uint8Array>> {
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
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}
