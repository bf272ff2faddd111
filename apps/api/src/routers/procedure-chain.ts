import { callTRPCProcedure, getTRPCErrorFromUnknown, TRPCError } from "@trpc/server";
import { appRouter } from "./app-router.ts";
import type { Context } from "./context.ts";

type ProcedureType = "query" | "mutation" | "subscription";

/** What tRPC hands each middleware (its `callRecursive`), less the router it never reads. */
interface MiddlewareOptions {
  ctx: Context;
  type: ProcedureType;
  path: string;
  input: unknown;
  getRawInput: () => Promise<unknown>;
  meta: unknown;
  signal: AbortSignal | undefined;
  batchIndex: number;
  next: (next?: NextOptions) => Promise<MiddlewareResult>;
}
interface NextOptions {
  ctx?: object;
  input?: unknown;
  getRawInput?: () => Promise<unknown>;
}
type MiddlewareResult =
  | { ok: true; data: unknown; ctx: Context; marker: string }
  | { ok: false; error: TRPCError; marker: string };
type Middleware = (options: MiddlewareOptions) => Promise<MiddlewareResult>;

/** A procedure as the router built it: its own middlewares, then the input parser's, then the resolver. */
interface Chain {
  type: ProcedureType;
  meta: unknown;
  middlewares: readonly Middleware[];
}

/** What a procedure's call carries from one level to the next. */
interface Carried {
  ctx: Context;
  path: string;
  input: unknown;
  getRawInput: () => Promise<unknown>;
  signal: AbortSignal | undefined;
}

// tRPC's own marker of a middleware's result (a plain string at run time).
const MARKER = "middlewareMarker";

/**
 * The built chain of a procedure, read once from the router: tRPC keeps it on the procedure's `_def` (its
 * `middlewares`, ending with the resolver's). Checked here rather than trusted, so a tRPC release that
 * keeps it elsewhere sends every call back to `callTRPCProcedure` instead of breaking them.
 */
function chainOf(procedure: unknown): Chain | null {
  const def = (procedure as { _def?: { type?: unknown; meta?: unknown; middlewares?: unknown } })?._def;
  const type = def?.type;
  const middlewares = def?.middlewares;
  if (type !== "query" && type !== "mutation" && type !== "subscription") return null;
  if (!Array.isArray(middlewares) || middlewares.length === 0) return null;
  if (!middlewares.every((m) => typeof m === "function")) return null;
  return { type, meta: def?.meta, middlewares: middlewares as Middleware[] };
}

const procedures = (appRouter._def as { procedures: Record<string, unknown> }).procedures;
const CHAINS = new Map<string, Chain>();
for (const [path, procedure] of Object.entries(procedures)) {
  const chain = chainOf(procedure);
  if (chain) CHAINS.set(path, chain);
}
/** True when every procedure of the router runs on its pre-built chain (a test holds tRPC upgrades to it). */
export const ALL_CHAINS_BUILT = CHAINS.size === Object.keys(procedures).length && CHAINS.size > 0;

/**
 * One level of the chain, as tRPC's `callRecursive` runs it (same options, same merge of what `next`
 * passes, a throw becomes `{ ok: false }`), with each level's options written as one object literal: tRPC
 * copies them twice per level through its spread helper (property by property, `defineProperty` each), about
 * 4 us of CPU per level and call, a tenth of the bare floor's whole key lookup.
 */
async function step(chain: Chain, index: number, carried: Carried): Promise<MiddlewareResult> {
  try {
    const middleware = chain.middlewares[index];
    if (!middleware) throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "No more middlewares" });
    return await middleware({
      ctx: carried.ctx,
      type: chain.type,
      path: carried.path,
      input: carried.input,
      getRawInput: carried.getRawInput,
      meta: chain.meta,
      signal: carried.signal,
      batchIndex: 0,
      // `next()` without options (most levels) passes on what it got: the same object, not a copy.
      next: (next) =>
        step(
          chain,
          index + 1,
          next === undefined
            ? carried
            : {
                ctx: next.ctx ? { ...carried.ctx, ...next.ctx } : carried.ctx,
                path: carried.path,
                input: "input" in next ? next.input : carried.input,
                getRawInput: next.getRawInput ?? carried.getRawInput,
                signal: carried.signal,
              },
        ),
    });
  } catch (cause) {
    return { ok: false, error: getTRPCErrorFromUnknown(cause), marker: MARKER };
  }
}

export interface ProcedureCall {
  path: string;
  /** The call's kind; undefined: whatever the procedure is (a server-side caller's call). */
  type?: ProcedureType;
  ctx: Context;
  input: unknown;
  signal?: AbortSignal;
}

/**
 * Calls a procedure of the app's router as `callTRPCProcedure` does (same middlewares, input validation,
 * context, errors: a missing procedure or another type is NOT_FOUND, a failure is thrown as its TRPCError),
 * on the chain built once at start.
 */
export async function runProcedure(call: ProcedureCall): Promise<unknown> {
  const chain = CHAINS.get(call.path);
  if (!chain) {
    return callTRPCProcedure({
      router: appRouter,
      path: call.path,
      getRawInput: async () => call.input,
      ctx: call.ctx,
      type: call.type ?? "query",
      signal: call.signal,
      batchIndex: 0,
    });
  }
  if (call.type && chain.type !== call.type) {
    throw new TRPCError({ code: "NOT_FOUND", message: `No "${call.type}"-procedure on path "${call.path}"` });
  }
  const input = call.input;
  const result = await step(chain, 0, {
    ctx: call.ctx,
    path: call.path,
    input: undefined,
    getRawInput: () => Promise.resolve(input),
    signal: call.signal,
  });
  if (!result) {
    throw new TRPCError({
      code: "INTERNAL_SERVER_ERROR",
      message: "No result from middlewares - did you forget to `return next()`?",
    });
  }
  if (!result.ok) throw result.error;
  return result.data;
}

/** The type of a procedure at a path, or undefined when the router has none there. */
export function procedureType(path: string): ProcedureType | undefined {
  return CHAINS.get(path)?.type;
}
