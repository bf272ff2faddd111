import type { Context } from "../context.ts";
import { forbidden } from "../errors/domain-error.ts";
import { toTrpcError } from "../errors/to-trpc-error.ts";
import { emailOf, isAdmin } from "../identity.ts";
import type { AuditOutcome } from "../lakebase/audit.ts";
import { describeFailure } from "../lakebase/databricks-errors.ts";
import { publicProcedure } from "../trpc.ts";

/** Who is looking, as `lakebase.status` shows it. */
export function viewerOf(ctx: Context) {
  return {
    email: emailOf(ctx.identity),
    actor: ctx.identity.actor,
    isAdmin: isAdmin(ctx.identity, ctx.services.config.identity),
  };
}

/** The audit row of an admin attempt: one shape whichever surface (tRPC, REST) it came through. */
export function auditAdmin(
  ctx: Context,
  entry: { action: string; input: unknown; outcome: AuditOutcome; detail: unknown },
): Promise<void> {
  return ctx.services.audit({ actor: ctx.identity.actor, requestId: ctx.requestId, ...entry });
}

/**
 * The identity must be in APP_ADMINS, checked before any input check or Databricks call; a refusal leaves
 * an audit row. Returns the actor.
 */
export async function requireAdmin(ctx: Context, action: string, input: unknown): Promise<string> {
  const viewer = viewerOf(ctx);
  if (viewer.isAdmin) return viewer.actor;
  await auditAdmin(ctx, { action, input, outcome: "forbidden", detail: { reason: "not in APP_ADMINS" } });
  throw forbidden("Only Lakebase admins (APP_ADMINS) may do this");
}

/**
 * Admin mutations: admins only (`requireAdmin`), and every attempt, refused or not, leaves an audit row with
 * its outcome, through the process's one audit writer.
 */
export const adminProcedure = publicProcedure.use(async ({ ctx, path, getRawInput, next }) => {
  const input = (await getRawInput().catch(() => undefined)) ?? null;
  const actor = await requireAdmin(ctx, path, input);
  const result = await next({ ctx: { lakebase: ctx.services.lakebase, actor } });
  if (result.ok) {
    const outcome: AuditOutcome = hasFailedStep(result.data)
      ? "failed"
      : path === "lakebase.create"
        ? "accepted"
        : "succeeded";
    await auditAdmin(ctx, { action: path, input, outcome, detail: result.data });
  } else {
    // The code the caller will see (the shared mapping runs again outside this middleware: a no-op then).
    const error = toTrpcError(result.error);
    const rejected =
      error.code === "BAD_REQUEST" || error.code === "CONFLICT" || error.code === "PRECONDITION_FAILED";
    await auditAdmin(ctx, {
      action: path,
      input,
      outcome: rejected ? "rejected" : "failed",
      detail: { code: error.code, ...describeFailure(error.cause ?? error) },
    });
  }
  return result;
});

function hasFailedStep(data: unknown): boolean {
  const steps = (data as { steps?: { outcome?: string }[] } | null)?.steps;
  return Array.isArray(steps) && steps.some((s) => s.outcome === "failed");
}
