import { badRequest } from "../errors/domain-error.ts";
import { createInput, deleteInput, progressInput } from "../lakebase/admin/schemas.ts";
import { progressEvents } from "../lakebase/status/progress.ts";
import { adminProcedure, viewerOf } from "./admin-procedure.ts";
import { branchesRouter, dataRouter, endpointsRouter } from "./lakebase-autoscaling.ts";
import { publicProcedure, router } from "./procedures.ts";
import { progressFor, statusFor } from "./visible-status.ts";

export const lakebaseRouter = router({
  status: publicProcedure.query(async ({ ctx }) => {
    const viewer = viewerOf(ctx);
    return { ...statusFor(await ctx.services.lakebase.status(), viewer.isAdmin), viewer };
  }),

  create: adminProcedure
    .input(createInput)
    .mutation(({ ctx, input }) => ctx.lakebase.create(input, ctx.actor, ctx.as)),

  delete: adminProcedure.input(deleteInput).mutation(({ ctx, input }) => {
    // Provisioned: the instance name; Autoscaling: the project id.
    const expected = ctx.lakebase.names.instanceName;
    if (input.confirmName !== expected) {
      const what = ctx.lakebase.flavour === "autoscaling" ? "project id" : "instance name";
      throw badRequest(`Type the ${what} "${expected}" to confirm the delete`);
    }
    return ctx.lakebase.delete(ctx.actor, ctx.as);
  }),

  stop: adminProcedure.mutation(({ ctx }) => ctx.lakebase.setStopped(true, ctx.actor, ctx.as)),
  start: adminProcedure.mutation(({ ctx }) => ctx.lakebase.setStopped(false, ctx.actor, ctx.as)),

  // Lakebase Autoscaling only (PRECONDITION_FAILED on Provisioned): lakebase-autoscaling.ts.
  branches: branchesRouter,
  endpoints: endpointsRouter,
  data: dataRouter,

  progress: publicProcedure
    .input(progressInput)
    .subscription(({ ctx, input, signal }) =>
      progressFor(
        progressEvents(ctx.services.lakebase, input?.lastEventId, signal, input?.follow),
        viewerOf(ctx).isAdmin,
      ),
    ),
});
