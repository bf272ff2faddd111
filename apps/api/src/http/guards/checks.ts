import type { Context, Env, MiddlewareHandler } from "hono";

/**
 * A guard that only looks at the request before the route: its refusal, or undefined to let it through.
 * Several run as one level of Hono's chain (`checks`), synchronously: no promise, closure or dispatch of
 * their own per request, which a middleware level costs (about 0.7 KB of garbage each, and their share of
 * every request's GC).
 */
// biome-ignore lint/suspicious/noExplicitAny: Hono's own default for a middleware's environment.
export type Check<E extends Env = any> = (c: Context<E>) => Response | undefined;

/** Runs `list` in order: the first refusal answers, as the middleware would; else the chain goes on. */
export function checks<E extends Env>(...list: readonly Check<E>[]): MiddlewareHandler<E> {
  return (c, next) => {
    const refused = firstRefusal(list, c);
    return refused ? Promise.resolve(refused) : next();
  };
}

/**
 * `before`, then `middleware` (one that wraps what follows, e.g. the body limit), then `after`, as three
 * levels would run in that order. A refusal from `after` becomes the answer as Hono's chain makes it one
 * (`c.res`), since a wrapping middleware need not return what its `next` gave.
 */
export function checksAround<E extends Env>(
  before: readonly Check<E>[],
  middleware: MiddlewareHandler<E>,
  after: readonly Check<E>[],
): MiddlewareHandler<E> {
  return (c, next) => {
    const refused = firstRefusal(before, c);
    if (refused) return Promise.resolve(refused);
    return middleware(c, () => {
      const late = firstRefusal(after, c);
      if (!late) return next();
      c.res = late;
      return Promise.resolve();
    });
  };
}

function firstRefusal<E extends Env>(list: readonly Check<E>[], c: Context<E>): Response | undefined {
  for (const check of list) {
    const refused = check(c);
    if (refused) return refused;
  }
  return undefined;
}
