import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { Context } from "../context.ts";
import { createAuditWriter } from "../lakebase/audit.ts";
import { describeFailure } from "../lakebase/errors.ts";
import { progressEvents } from "../lakebase/progress.ts";
import type { LakebaseService } from "../lakebase/service.ts";
import { publicProcedure, router } from "../trpc.ts";

export const createInput = z.object({
  // Anything but the literal `true` is refused: the admin must say they know this costs money.
  acknowledgeCost: z.literal(true, {
    error: "acknowledgeCost must be true: Lakebase resources cost money while they exist",
  }),
  capacity: z.enum(["CU_1", "CU_2", "CU_4", "CU_8"]).default("CU_1"),
  nodeCount: z.number().int().min(1).max(3).default(1),
  enableReadableSecondaries: z.boolean().optional(),
  retentionWindowInDays: z.number().int().min(2).max(35).optional(),
});

export const deleteInput = z.object({ confirmName: z.string() });

function serviceOf(ctx: Context): LakebaseService {
  if (!ctx.lakebase)
    throw new TRPCError({
      code: "PRECONDITION_FAILED",
      message: "The Lakebase admin is not set up on this server",
    });
  return ctx.lakebase;
}

function viewerOf(ctx: Context, service: LakebaseService) {
  const email = ctx.identity.email ?? (ctx.identity.source === "local" ? ctx.identity.actor : null);
  return { email, actor: ctx.identity.actor, isAdmin: service.isAdmin(email) };
}

/**
 * Admin mutations: the identity must be in APP_ADMINS (checked before any Databricks call), and every
 * attempt, refused or not, leaves an audit row with its outcome.
 */
const adminProcedure = publicProcedure.use(async ({ ctx, path, getRawInput, next }) => {
  const service = serviceOf(ctx);
  const audit = createAuditWriter(ctx.db.prisma, ctx.logger);
  const viewer = viewerOf(ctx, service);
  const action = path;
  const input = (await getRawInput().catch(() => undefined)) ?? null;
  const base = { actor: viewer.actor, action, input, requestId: ctx.requestId };
  if (!viewer.isAdmin) {
    await audit({ ...base, outcome: "forbidden", detail: { reason: "not in APP_ADMINS" } });
    throw new TRPCError({ code: "FORBIDDEN", message: "Only Lakebase admins (APP_ADMINS) may do this" });
  }
  const result = await next({ ctx: { lakebase: service, actor: viewer.actor } });
  if (result.ok) {
    const outcome = hasFailedStep(result.data)
      ? "failed"
      : action === "lakebase.create"
        ? "accepted"
        : "succeeded";
    await audit({ ...base, outcome, detail: result.data });
  } else {
    const error = result.error;
    await audit({
      ...base,
      outcome:
        error.code === "BAD_REQUEST" || error.code === "CONFLICT" || error.code === "PRECONDITION_FAILED"
          ? "rejected"
          : "failed",
      detail: { code: error.code, ...describeFailure(error.cause ?? error) },
    });
  }
  return result;
});

export const lakebaseRouter = router({
  status: publicProcedure.query(async ({ ctx }) => {
    const service = serviceOf(ctx);
    const status = await service.status();
    return { ...status, viewer: viewerOf(ctx, service) };
  }),

  create: adminProcedure
    .input(createInput)
    .mutation(({ ctx, input }) => ctx.lakebase.create(input, ctx.actor)),

  delete: adminProcedure.input(deleteInput).mutation(({ ctx, input }) => {
    const expected = ctx.lakebase.config.instanceName;
    if (input.confirmName !== expected) {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: `Type the instance name "${expected}" to confirm the delete`,
      });
    }
    return ctx.lakebase.delete(ctx.actor);
  }),

  stop: adminProcedure.mutation(({ ctx }) => ctx.lakebase.setStopped(true, ctx.actor)),
  start: adminProcedure.mutation(({ ctx }) => ctx.lakebase.setStopped(false, ctx.actor)),

  progress: publicProcedure
    .input(z.object({ lastEventId: z.string().nullish() }).optional())
    .subscription(({ ctx, input, signal }) => progressEvents(serviceOf(ctx), input?.lastEventId, signal)),
});

function hasFailedStep(data: unknown): boolean {
  const steps = (data as { steps?: { outcome?: string }[] } | null)?.steps;
  return Array.isArray(steps) && steps.some((s) => s.outcome === "failed");
}
