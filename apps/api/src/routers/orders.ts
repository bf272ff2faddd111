import { forbidden, preconditionFailed, unauthorized } from "../errors/domain-error.ts";
import { canChangeStatus } from "../identity/identity.ts";
import { personSeenBy } from "../identity/people.ts";
import { readAccess } from "../orders/reads/access.ts";
import { filterKey } from "../orders/reads/filter-key.ts";
import {
  byKeyInput,
  listInput,
  orderFiltersInput,
  streamInput,
  updateStatusInput,
} from "../orders/schemas.ts";
import { trendInput } from "../orders/trend.ts";
import { laterToken } from "../orders/writes/write-token.ts";
import type { Context } from "./context.ts";
import { publicProcedure, router } from "./procedures.ts";

// Every orders procedure checks its input first (bad input is 400 whatever the database does), then asks
// the one read decision (orders/reads/access.ts): whether the orders can be read now, and whether this caller
// reads from the primary.
async function ordersContext(ctx: Context) {
  const read = await readAccess(ctx.services, ctx.identity, ctx.userToken, ctx.writeToken());
  return { orders: ctx.services.orders, read };
}

// Changing a status needs someone to record as its author: anonymous callers never may (401), and when
// ORDER_STATUS_WRITERS is set only those listed may (403). Checked before anything else, input included.
const writeProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const verdict = canChangeStatus(ctx.identity, ctx.services.config.identity);
  if (verdict === "anonymous") throw unauthorized("Sign in to change an order's status");
  if (verdict === "not-listed") throw forbidden("Only the users in ORDER_STATUS_WRITERS may change statuses");
  return next();
});

export const TREND_NOT_AS_USER =
  "The monthly trend is not available while reads run as the signed-in user (ORDERS_READ_AS_USER=on).";

/** Rows a list page may skip before it counts as an expensive read (the scan walks them all). */
const DEEP_OFFSET = 10_000;

export const ordersRouter = router({
  list: publicProcedure.input(listInput.optional()).query(async ({ ctx, input }) => {
    const { orders, read } = await ordersContext(ctx);
    const list = input ?? listInput.parse({});
    if (list.includeCount) ctx.budget.expensiveRead(`count:${filterKey(list)}`);
    if ((list.page - 1) * list.pageSize >= DEEP_OFFSET)
      ctx.budget.expensiveRead(`page:${JSON.stringify(list)}`);
    return orders.list(list, read);
  }),
  stream: publicProcedure.input(streamInput.optional()).query(async ({ ctx, input }) => {
    const { orders, read } = await ordersContext(ctx);
    return orders.stream(input ?? streamInput.parse({}), read);
  }),
  byKey: publicProcedure.input(byKeyInput).query(async ({ ctx, input }) => {
    const { orders, read } = await ordersContext(ctx);
    return orders.byKey(input.orderKey, read);
  }),
  count: publicProcedure.input(orderFiltersInput.optional()).query(async ({ ctx, input }) => {
    const { orders, read } = await ordersContext(ctx);
    ctx.budget.expensiveRead(`count:${filterKey(input ?? {})}`);
    return orders.count(input ?? {}, read);
  }),
  stats: publicProcedure.input(orderFiltersInput.optional()).query(async ({ ctx, input }) => {
    const { orders, read } = await ordersContext(ctx);
    ctx.budget.expensiveRead(`stats:${filterKey(input ?? {})}`);
    return orders.stats(input ?? {}, read);
  }),
  updateStatus: writeProcedure.input(updateStatusInput).mutation(async ({ ctx, input }) => {
    const { orders } = await ordersContext(ctx);
    // The caller is marked a recent writer once the change has committed (orders/writes/change-feed.ts), in
    // every process that hears of it; the answer's token covers the ones that have not yet (write-token.ts).
    const { update, token } = await orders.updateStatus(input, {
      actor: ctx.identity.actor,
      requestId: ctx.requestId,
    });
    ctx.wrote = laterToken(ctx.writeToken(), token);
    return update;
  }),
  history: publicProcedure.input(byKeyInput).query(async ({ ctx, input }) => {
    const { orders, read } = await ordersContext(ctx);
    const history = await orders.history(input.orderKey, read);
    // Who changed it: in full for admins and for the person themself, else "another user" (no e-mail).
    const config = ctx.services.config.identity;
    const changes = history.changes.map((c) => ({
      ...c,
      changedBy: personSeenBy(c.changedBy, ctx.identity, config),
    }));
    return { ...history, changes };
  }),
  trend: publicProcedure.input(trendInput.optional()).query(async ({ ctx, input }) => {
    const { read } = await ordersContext(ctx);
    // The trend's grid is the whole table's, cached for everyone: never a user's answer when reads run as
    // the user (a per-user grid is not built yet).
    if (read.asUser) throw preconditionFailed(TREND_NOT_AS_USER);
    const trend = input ?? trendInput.parse({});
    // Under the same budget as counts: a cached answer is free, a recomputation is an expensive read.
    ctx.budget.expensiveRead(`trend:${JSON.stringify(trend)}`);
    return ctx.services.trend(trend);
  }),
});
