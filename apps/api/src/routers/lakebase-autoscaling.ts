import { preconditionFailed } from "../errors/domain-error.ts";
import type { AutoscalingActions } from "../lakebase/admin/types.ts";
import {
  attachInput,
  branchCreateInput,
  branchDeleteInput,
  endpointCreateInput,
  endpointDeleteInput,
  endpointsListInput,
  endpointUpdateInput,
} from "../lakebase/autoscaling/schemas.ts";
import { adminProcedure } from "./admin-procedure.ts";
import type { Context } from "./context.ts";
import { publicProcedure, router } from "./procedures.ts";

export const NOT_AUTOSCALING =
  "This app is bound to a Lakebase Provisioned instance (LAKEBASE_INSTANCE_NAME): branches, endpoints and compute settings are Lakebase Autoscaling's (set LAKEBASE_ENDPOINT or LAKEBASE_PROJECT_ID)";

/** The one check of these procedures: the admin of the configured Lakebase has the Autoscaling actions. */
function autoscalingOf(ctx: Context): AutoscalingActions {
  const actions = ctx.services.lakebase.autoscaling;
  if (!actions) throw preconditionFailed(NOT_AUTOSCALING);
  return actions;
}

/** Reads of the Autoscaling resources (anyone may look, as at the status). */
const autoscalingQuery = publicProcedure.use(({ ctx, next }) =>
  next({ ctx: { autoscaling: autoscalingOf(ctx) } }),
);
/** Changes: admins first (refused and audited before anything else), then the flavour, then the input. */
const autoscalingMutation = adminProcedure.use(({ ctx, next }) =>
  next({ ctx: { autoscaling: autoscalingOf(ctx) } }),
);

/**
 * `lakebase.branches.*`: the project's branches. `create` copies a parent (default: the project's default
 * branch) at its head or at `pointInTime`, with a TTL, an expire time or none; `delete` asks for the branch
 * id again and refuses the app's own branch. Both answer an ActionResult at once and go on in the background
 * (follow `lakebase.status` / `lakebase.progress`).
 */
export const branchesRouter = router({
  list: autoscalingQuery.query(async ({ ctx }) => ({ branches: await ctx.autoscaling.listBranches() })),
  create: autoscalingMutation
    .input(branchCreateInput)
    .mutation(({ ctx, input }) => ctx.autoscaling.createBranch(input, ctx.actor, ctx.as)),
  delete: autoscalingMutation
    .input(branchDeleteInput)
    .mutation(({ ctx, input }) => ctx.autoscaling.deleteBranch(input, ctx.actor, ctx.as)),
});

/**
 * `lakebase.endpoints.*`: the computes of a branch (default: the app's). `create` adds a read-only endpoint,
 * `update` sets min/max CU and the suspend timeout (default: the app's read-write endpoint), `delete` asks for
 * the endpoint id again.
 */
export const endpointsRouter = router({
  list: autoscalingQuery
    .input(endpointsListInput)
    .query(async ({ ctx, input }) => ({ endpoints: await ctx.autoscaling.listEndpoints(input?.branchId) })),
  create: autoscalingMutation
    .input(endpointCreateInput)
    .mutation(({ ctx, input }) => ctx.autoscaling.createEndpoint(input, ctx.actor, ctx.as)),
  update: autoscalingMutation
    .input(endpointUpdateInput)
    .mutation(({ ctx, input }) => ctx.autoscaling.updateEndpoint(input, ctx.actor, ctx.as)),
  delete: autoscalingMutation
    .input(endpointDeleteInput)
    .mutation(({ ctx, input }) => ctx.autoscaling.deleteEndpoint(input, ctx.actor, ctx.as)),
});

/** `lakebase.data.attach`: a catalog and the orders synced table on a branch's database. */
export const dataRouter = router({
  attach: autoscalingMutation
    .input(attachInput)
    .mutation(({ ctx, input }) => ctx.autoscaling.attachData(input ?? {}, ctx.actor, ctx.as)),
});
