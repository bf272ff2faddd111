import { preconditionFailed } from "../errors/domain-error.ts";
import {
  byKeyInput,
  listInput,
  orderFiltersInput,
  streamInput,
  updateStatusInput,
} from "../orders/schemas.ts";
import type { ReadOptions } from "../orders/store.ts";
import { trendInput } from "../orders/trend.ts";
import { publicProcedure, router } from "../trpc.ts";

// Every orders procedure first checks that the synced table can be read: while it does not exist or is
// still syncing the answer is PRECONDITION_FAILED with the reason, never a 500. Reads go to the primary
// for a caller who has just written (their replica may not have it yet).
const ordersProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const { services, identity } = ctx;
  const availability = await services.availability();
  if (!availability.available) throw preconditionFailed(availability.reason);
  const read: ReadOptions = { fromPrimary: services.recentWriters.isRecent(identity.actor) };
  return next({ ctx: { orders: services.orders, read } });
});

export const ordersRouter = router({
  list: ordersProcedure
    .input(listInput.optional())
    .query(({ ctx, input }) => ctx.orders.list(input ?? listInput.parse({}), ctx.read)),
  stream: ordersProcedure
    .input(streamInput.optional())
    .query(({ ctx, input }) => ctx.orders.stream(input ?? streamInput.parse({}), ctx.read)),
  byKey: ordersProcedure
    .input(byKeyInput)
    .query(({ ctx, input }) => ctx.orders.byKey(input.orderKey, ctx.read)),
  count: ordersProcedure
    .input(orderFiltersInput.optional())
    .query(({ ctx, input }) => ctx.orders.count(input ?? {}, ctx.read)),
  stats: ordersProcedure
    .input(orderFiltersInput.optional())
    .query(({ ctx, input }) => ctx.orders.stats(input ?? {}, ctx.read)),
  updateStatus: ordersProcedure.input(updateStatusInput).mutation(async ({ ctx, input }) => {
    ctx.services.recentWriters.wrote(ctx.identity.actor);
    return ctx.orders.updateStatus(input, { actor: ctx.identity.actor, requestId: ctx.requestId });
  }),
  history: ordersProcedure
    .input(byKeyInput)
    .query(({ ctx, input }) => ctx.orders.history(input.orderKey, ctx.read)),
  trend: ordersProcedure
    .input(trendInput.optional())
    .query(({ ctx, input }) => ctx.services.trend(input ?? trendInput.parse({}))),
});
