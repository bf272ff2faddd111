import type { Context, Env, MiddlewareHandler, Next } from "hono";
import { refuse } from "./refusal.ts";

export interface OpenStreamsOptions<E extends Env> {
  /** Streams one identity may hold open at once. */
  perIdentity: number;
  /** Streams the process holds open at once. */
  total: number;
  /** Whose streams: an identity (anonymous callers by address). */
  key: (c: Context<E>) => string;
  /** Which requests open a stream (the subscriptions). */
  when: (c: Context<E>) => boolean;
}

/** Seconds a refused stream is told to wait: another tab's stream ends when the tab does. */
const RETRY_AFTER_SECONDS = 10;

/**
 * Caps the server-sent event streams (tRPC subscriptions: the admin's progress) open at once, per identity
 * and in total: each holds a connection and a poller's attention for as long as its client likes, so without
 * a cap one caller could open thousands. Over a cap: 429 with Retry-After, before any work. A stream counts
 * until its body ends, fails or its client goes away (the Node server then cancels the body).
 */
export function capOpenStreams<E extends Env>(options: OpenStreamsOptions<E>): MiddlewareHandler<E> {
  const byKey = new Map<string, number>();
  let total = 0;
  // Not a stream (nearly every request): straight on, without an async frame of its own.
  return (c, next) => (options.when(c) ? countOpen(c, next) : next());
  async function countOpen(c: Context<E>, next: Next): Promise<Response | undefined> {
    const key = options.key(c);
    const mine = byKey.get(key) ?? 0;
    if (mine >= options.perIdentity || total >= options.total) {
      const what =
        mine >= options.perIdentity ? `${options.perIdentity} streams of yours` : "the server's streams";
      return refuse(c, "TOO_MANY_REQUESTS", `Too many open event streams (${what} are open); retry later`, {
        "Retry-After": String(RETRY_AFTER_SECONDS),
      });
    }
    byKey.set(key, mine + 1);
    total++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      total--;
      const left = (byKey.get(key) ?? 1) - 1;
      if (left > 0) byKey.set(key, left);
      else byKey.delete(key);
    };
    try {
      await next();
    } catch (error) {
      release();
      throw error;
    }
    const body = c.res.body;
    if (!body) {
      release();
      return;
    }
    const reader = body.getReader();
    const counted = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          try {
            const { done, value } = await reader.read();
            if (done) {
              release();
              controller.close();
            } else controller.enqueue(value);
          } catch (error) {
            release();
            controller.error(error);
          }
        },
        cancel(reason) {
          release();
          return reader.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    );
    c.res = new Response(counted, { status: c.res.status, headers: c.res.headers });
  }
}
