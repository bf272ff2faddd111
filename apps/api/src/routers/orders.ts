import type { Context } from "../context.ts";
import { DomainError, forbidden, preconditionFailed } from "../errors/domain-error.ts";
import { canChangeStatus } from "../identity.ts";
import {
  byKeyInput,
  listInput,
  type OrderFilters,
  orderFiltersInput,
  streamInput,
  updateStatusInput,
} from "../orders/schemas.ts";
import type { ReadOptions } from "../orders/store.ts";
import { publicProcedure, router } from "../trpc.ts";

// Every orders procedure first checks that the synced table can be read: while it does not exist or is
// still syncing the answer is PRECONDITION_FAILED with the reason, never a 500. Reads go to the primary
// for a caller who has just written (their replica may not have it yet).
async function ordersContext(ctx: Context) {
  const { services, identity } = ctx;
  const availability = await services.availability();
  if (!availability.available) throw preconditionFailed(availability.reason);
  const read: ReadOptions = { fromPrimary: services.recentWriters.isRecent(identity.actor) };
  return { orders: services.orders, read };
}

const ordersProcedure = publicProcedure.use(async ({ ctx, next }) => next({ ctx: await ordersContext(ctx) }));

// Changing a status needs someone to record as its author: anonymous callers never may (401), and when
// ORDER_STATUS_WRITERS is set only those listed may (403). Checked before anything else.
const writeProcedure = publicProcedure
  .use(async ({ ctx, next }) => {
    const verdict = canChangeStatus(ctx.identity, ctx.services.config.identity);
    if (verdict === "anonymous") throw new DomainError("unauthorized", "Sign in to change an order's status");
    if (verdict === "not-listed")
      throw forbidden("Only the users in ORDER_STATUS_WRITERS may change statuses");
    return next();
  })
  .use(async ({ ctx, next }) => next({ ctx: await ordersContext(ctx) }));

/** Rows a list page may skip before it counts as an expensive read (the scan walks them all). */
const DEEP_OFFSET = 10_000;

/** The filters only, in a fixed order: one key for one count, whichever procedure asks for it. */
const filtersKey = (f: OrderFilters) => JSON.stringify([f.status, f.priority, f.dateFrom, f.dateTo]);

export const ordersRouter = router({
  list: ordersProcedure.input(listInput.optional()).query(({ ctx, input }) => {
    const list = input ?? listInput.parse({});
    if (list.includeCount) ctx.budget.expensiveRead(`count:${filtersKey(list)}`);
    if ((list.page - 1) * list.pageSize >= DEEP_OFFSET)
      ctx.budget.expensiveRead(`page:${JSON.stringify(list)}`);
    return ctx.orders.list(list, ctx.read);
  }),
  stream: ordersProcedure
    .input(streamInput.optional())
    .query(({ ctx, input }) => ctx.orders.stream(input ?? streamInput.parse({}), ctx.read)),
  byKey: ordersProcedure
    .input(byKeyInput)
    .query(({ ctx, input }) => ctx.orders.byKey(input.orderKey, ctx.read)),
  count: ordersProcedure.input(orderFiltersInput.optional()).query(({ ctx, input }) => {
    ctx.budget.expensiveRead(`count:${filtersKey(input ?? {})}`);
    return ctx.orders.count(input ?? {}, ctx.read);
  }),
  stats: ordersProcedure.input(orderFiltersInput.optional()).query(({ ctx, input }) => {
    ctx.budget.expensiveRead(`stats:${filtersKey(input ?? {})}`);
    return ctx.orders.stats(input ?? {}, ctx.read);
  }),
  updateStatus: writeProcedure.input(updateStatusInput).mutation(async ({ ctx, input }) => {
    ctx.services.recentWriters.wrote(ctx.identity.actor);
    return ctx.orders.updateStatus(input, { actor: ctx.identity.actor, requestId: ctx.requestId });
  }),
  history: ordersProcedure
    .input(byKeyInput)
    .query(({ ctx, input }) => ctx.orders.history(input.orderKey, ctx.read)),
});
