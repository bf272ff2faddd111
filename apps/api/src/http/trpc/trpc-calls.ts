import type { Context as HonoContext } from "hono";
import { rawPathOf } from "../request-log.ts";
import { trpcProcedureNames } from "./procedure-names.ts";

/**
 * Calls in a tRPC request: one, or as many as the batch names, counted from the raw path as tRPC reads it
 * (`c.req.path` leaves %2C encoded: a batch would pass for one call).
 */
export function trpcCalls(c: HonoContext): number {
  if (c.req.query("batch") !== "1") return 1;
  return Math.max(1, trpcProcedureNames(rawPathOf(c.req.url))?.length ?? 1);
}
