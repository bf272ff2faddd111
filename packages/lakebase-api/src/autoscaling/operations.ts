import { DeadlineError } from "../deadline.ts";
import { isUnavailable, OperationFailedError } from "../errors.ts";
import type { Operation } from "./types.ts";

export interface WaitOptions {
  /** Between two polls (default 1000 ms). */
  intervalMs?: number;
  /** The whole wait (default 20 min); then a DeadlineError (classified "unavailable"). */
  timeoutMs?: number;
  /** Ends the wait early (an AbortError), e.g. when the process is stopping. */
  signal?: AbortSignal;
  /** Each poll, for live progress (the operation as the service answered it). */
  onPoll?: (operation: Operation) => void;
}

/**
 * Polls `GET /{operation.name}` until it is `done`, then answers its `response` (the resource; Empty for a
 * delete) or throws an OperationFailedError carrying the service's `error_code`. A poll that meets a short
 * run of "unavailable" answers (429, 5xx, a socket error, a call past its deadline) polls again: the work
 * goes on on the service while its API is briefly busy. The operation's own work is never cancelled here
 * (the API has no cancel): a wait that ends early only stops watching.
 */
export async function pollOperation<T>(
  get: (name: string) => Promise<Operation<T>>,
  operation: Operation<T>,
  options: WaitOptions = {},
): Promise<T> {
  const intervalMs = options.intervalMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 20 * 60_000;
  const deadline = Date.now() + timeoutMs;
  let current = operation;
  let unavailable = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    if (current.done) {
      if (current.error) throw new OperationFailedError(current.name, current.error);
      return current.response as T;
    }
    if (Date.now() >= deadline) {
      throw new DeadlineError(
        `the operation ${operation.name} was not done within ${Math.round(timeoutMs / 1000)} s (it may still finish)`,
      );
    }
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())), options.signal);
    try {
      current = await get(operation.name);
      unavailable = 0;
      options.onPoll?.(current);
    } catch (error) {
      if (!isUnavailable(error) || ++unavailable > 5) throw error;
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener("abort", aborted);
      resolve();
    }
    function aborted() {
      clearTimeout(timer);
      reject(signal?.reason);
    }
    signal?.addEventListener("abort", aborted, { once: true });
  });
}
