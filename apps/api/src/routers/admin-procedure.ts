import type { Context } from "../context.ts";
import { forbidden } from "../errors/domain-error.ts";
import { toTrpcError } from "../errors/to-trpc-error.ts";
import { emailOf, isAdmin } from "../identity.ts";
import type { AuditOutcome } from "../lakebase/audit.ts";
import { describeFailure } from "../lakebase/databricks-errors.ts";
import { publicProcedure } from "../trpc.ts";
import { auditInput } from "./audit-input.ts";

/** Who is looking, as `lakebase.status` shows it. */
export function viewerOf(ctx: Context) {
  return {
    email: emailOf(ctx.identity),
    actor: ctx.identity.actor,
    isAdmin: isAdmin(ctx.identity, ctx.services.config.identity),
  };
}

/**
 * Admin mutations: the identity must be in APP_ADMINS (checked before any Databricks call), and every
 * attempt, refused or not, leaves an audit row with its outcome, through the process's one audit writer.
 * The row keeps a bounded, validated summary of the input (see audit-input.ts), never the raw body.
 */
export const adminProcedure = publicProcedure.use(async ({ ctx, path, getRawInput, next }) => {
  const { audit, lakebase } = ctx.services;
  const viewer = viewerOf(ctx);
  const input = auditInput(path, await getRawInput().catch(() => undefined));
  const base = { actor: viewer.actor, action: path, input, requestId: ctx.requestId };
  if (!viewer.isAdmin) {
    await audit({ ...base, outcome: "forbidden", detail: { reason: "not in APP_ADMINS" } });
    throw forbidden("Only Lakebase admins (APP_ADMINS) may do this");
  }
  const result = await next({ ctx: { lakebase, actor: viewer.actor } });
  if (result.ok) {
    const outcome: AuditOutcome = hasFailedStep(result.data)
      ? "failed"
      : path === "lakebase.create"
        ? "accepted"
        : "succeeded";
    await audit({ ...base, outcome, detail: result.data });
  } else {
    // The code the caller will see (the shared mapping runs again outside this middleware: a no-op then).
    const error = toTrpcError(result.error);
    const rejected =
      error.code === "BAD_REQUEST" || error.code === "CONFLICT" || error.code === "PRECONDITION_FAILED";
    await audit({
      ...base,
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
