import { TRPCError } from "@trpc/server";
import {
  byKeyInput,
  listInput,
  orderFiltersInput,
  streamInput,
  updateStatusInput,
} from "../orders/schemas.ts";
import { publicProcedure, router } from "../trpc.ts";

// Every orders procedure first checks that the synced table can be read: while it does not exist or is
// still syncing the answer is PRECONDITION_FAILED with the reason, never a 500.
const ordersProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const availability = await ctx.dataAvailability();
  if (!availability.available) {
    throw new TRPCError({ code: "PRECONDITION_FAILED", message: availability.reason });
  }
  return next();
});

export const ordersRouter = router({
  list: ordersProcedure
    .input(listInput.optional())
    .query(({ ctx, input }) => ctx.orders.list(input ?? listInput.parse({}))),
  stream: ordersProcedure
    .input(streamInput.optional())
    .query(({ ctx, input }) => ctx.orders.stream(input ?? streamInput.parse({}))),
  byKey: ordersProcedure.input(byKeyInput).query(({ ctx, input }) => ctx.orders.byKey(input.orderKey)),
  count: ordersProcedure
    .input(orderFiltersInput.optional())
    .query(({ ctx, input }) => ctx.orders.count(input ?? {})),
  stats: ordersProcedure
    .input(orderFiltersInput.optional())
    .query(({ ctx, input }) => ctx.orders.stats(input ?? {})),
  updateStatus: ordersProcedure
    .input(updateStatusInput)
    .mutation(({ ctx, input }) =>
      ctx.orders.updateStatus(input, { actor: ctx.identity.actor, requestId: ctx.requestId }),
    ),
  history: ordersProcedure.input(byKeyInput).query(({ ctx, input }) => ctx.orders.history(input.orderKey)),
});
