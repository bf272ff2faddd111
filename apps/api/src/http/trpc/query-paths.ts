import type { AnyTRPCProcedure, AnyTRPCQueryProcedure } from "@trpc/server";
import type { AppRouter } from "../../routers/app-router.ts";

type Keys<R> = Exclude<keyof R, "_def" | "createCaller"> & string;

/** The dotted paths of a router's queries, from its type alone (tRPC's public procedure types). */
type QueryPaths<R, Prefix extends string = ""> = {
  [K in Keys<R>]: R[K] extends AnyTRPCProcedure
    ? R[K] extends AnyTRPCQueryProcedure
      ? `${Prefix}${K}`
      : never
    : QueryPaths<R[K], `${Prefix}${K}.`>;
}[Keys<R>];

export type QueryPath = QueryPaths<AppRouter>;

/** Every query of the router, by its dotted path (the hostile-input tests send them all too). */
export const QUERIES = [
  "orders.list",
  "orders.stream",
  "orders.byKey",
  "orders.count",
  "orders.stats",
  "orders.history",
  "orders.trend",
  "lakebase.status",
  "lakebase.branches.list",
  "lakebase.endpoints.list",
  "views.list",
  "views.get",
] as const satisfies readonly QueryPath[];

// The list is checked both ways by the compiler: `satisfies` above (each entry is a query of the router),
// and this type (no query is left out: its error names the missing one).
type Unlisted = Exclude<QueryPath, (typeof QUERIES)[number]>;
type True<T extends true> = T;
export type EveryQueryListed = True<[Unlisted] extends [never] ? true : { missing: Unlisted }>;

/** Every query of the router: what the single-query path answers (see handler.ts). */
export const QUERY_PATHS: ReadonlySet<string> = new Set<string>(QUERIES);
