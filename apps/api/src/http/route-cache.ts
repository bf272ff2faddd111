import type { Result, Router } from "hono/router";
import { RegExpRouter } from "hono/router/reg-exp-router";
import { SmartRouter } from "hono/router/smart-router";
import { TrieRouter } from "hono/router/trie-router";

/** Matches kept at most: the API's fixed paths fit many times over; a flood of others only clears it. */
const MAX_CACHED = 512;
/** Longer paths are matched every time (a hostile path is not kept). */
const MAX_CACHED_PATH = 256;

/**
 * Hono's default router (RegExpRouter, else TrieRouter) with the matches of paths that carry no parameter
 * kept, as RegExpRouter itself keeps its static paths. The API's routes put `/orders/count` beside
 * `/orders/{order_key}`, which RegExpRouter refuses, so Hono falls back to TrieRouter: it walks the trie,
 * sorts and copies the handler list on every request (about 5 KB of garbage and 2 us for each tRPC
 * call, whose path is the same for every call of a procedure). A cached result is shared between requests,
 * as RegExpRouter shares its static ones: Hono only reads it.
 */
export class CachingRouter<T> implements Router<T> {
  readonly #inner: Router<T>;
  readonly #cache = new Map<string, Result<T>>();

  constructor(inner: Router<T> = new SmartRouter<T>({ routers: [new RegExpRouter(), new TrieRouter()] })) {
    this.#inner = inner;
  }

  get name(): string {
    return `CachingRouter + ${this.#inner.name}`;
  }

  add(method: string, path: string, handler: T): void {
    this.#cache.clear();
    this.#inner.add(method, path, handler);
  }

  match(method: string, path: string): Result<T> {
    if (path.length > MAX_CACHED_PATH) return this.#inner.match(method, path);
    const key = `${method} ${path}`;
    const kept = this.#cache.get(key);
    if (kept) return kept;
    const result = this.#inner.match(method, path);
    if (withoutParams(result)) {
      if (this.#cache.size >= MAX_CACHED) this.#cache.clear();
      this.#cache.set(key, result);
    }
    return result;
  }
}

function withoutParams<T>(result: Result<T>): boolean {
  // RegExpRouter's form: parameters are indexes into the stash, which is empty for a static path.
  if (result.length === 2) return result[1].length === 0;
  for (const [, params] of result[0]) for (const _ in params) return false;
  return true;
}
