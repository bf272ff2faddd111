import type { AnyTRPCProcedure, AnyTRPCSubscriptionProcedure } from "@trpc/server";
import type { AppRouter } from "../../routers/app-router.ts";

type Keys<R> = Exclude<keyof R, "_def" | "createCaller"> & string;

/** The dotted paths of a router's subscriptions, from its type alone (tRPC's public procedure types). */
type SubscriptionPaths<R, Prefix extends string = ""> = {
  [K in Keys<R>]: R[K] extends AnyTRPCProcedure
    ? R[K] extends AnyTRPCSubscriptionProcedure
      ? `${Prefix}${K}`
      : never
    : SubscriptionPaths<R[K], `${Prefix}${K}.`>;
}[Keys<R>];

export type SubscriptionPath = SubscriptionPaths<AppRouter>;

/** Every subscription of the router (server-sent event streams), checked both ways by the compiler. */
export const SUBSCRIPTIONS = ["lakebase.progress"] as const satisfies readonly SubscriptionPath[];

type Unlisted = Exclude<SubscriptionPath, (typeof SUBSCRIPTIONS)[number]>;
type True<T extends true> = T;
export type EverySubscriptionListed = True<[Unlisted] extends [never] ? true : { missing: Unlisted }>;

export const SUBSCRIPTION_PATHS: ReadonlySet<string> = new Set<string>(SUBSCRIPTIONS);
