import type { z } from "zod";
import { forbidden, preconditionFailed } from "../errors/domain-error.ts";
import { toTrpcError } from "../errors/to-trpc-error.ts";
import { emailOf, isAdmin } from "../identity/identity.ts";
import { describeFailure } from "../lakebase/admin/failures.ts";
import type { UserCredentials } from "../lakebase/admin/types.ts";
import type { AuditOutcome } from "../lakebase/audit/audit.ts";
import { auditInput } from "./audit-input.ts";
import type { Context } from "./context.ts";
import { publicProcedure } from "./procedures.ts";

/** Who is looking, as `lakebase.status` shows it. */
export function viewerOf(ctx: Context) {
  return {
    email: emailOf(ctx.identity),
    actor: ctx.identity.actor,
    isAdmin: isAdmin(ctx.identity, ctx.services.config.identity),
  };
}

/**
 * The audit row of an admin attempt: one shape whichever surface (tRPC, REST) it came through. The row
 * keeps a bounded, validated summary of the input (audit-input.ts), never the raw body or query.
 */
export function auditAdmin(
  ctx: Context,
  entry: { action: string; input: unknown; outcome: AuditOutcome; detail: unknown },
  inputSchema?: z.ZodType,
): Promise<void> {
  return ctx.services.audit({
    actor: ctx.identity.actor,
    requestId: ctx.requestId,
    ...entry,
    input: auditInput(entry.action, entry.input, inputSchema),
  });
}

/**
 * The identity must be in APP_ADMINS, checked before any input check or Databricks call; a refusal leaves
 * an audit row. Returns the actor.
 */
export async function requireAdmin(
  ctx: Context,
  action: string,
  input: unknown,
  inputSchema?: z.ZodType,
): Promise<string> {
  const viewer = viewerOf(ctx);
  if (viewer.isAdmin) return viewer.actor;
  await auditAdmin(
    ctx,
    { action, input, outcome: "forbidden", detail: { reason: "not in APP_ADMINS" } },
    inputSchema,
  );
  throw forbidden("Only Lakebase admins (APP_ADMINS) may do this");
}

export const NO_USER_TOKEN =
  "LAKEBASE_ADMIN_AUTH=user, but the Databricks Apps proxy forwarded no user token: the app must declare user_api_scopes (databricks.yml) and user authorization must be enabled in the workspace; or set LAKEBASE_ADMIN_AUTH=service-principal";

/**
 * Whose credentials an admin mutation calls Databricks with. With LAKEBASE_ADMIN_AUTH=user: the signed-in
 * user's forwarded token, and without one the mutation is refused (never made as the service principal
 * instead). Otherwise undefined: the service principal.
 */
export function actingAs(ctx: Context): UserCredentials | undefined {
  if (ctx.services.config.identity.adminAuth !== "user") return undefined;
  if (!ctx.userToken) throw preconditionFailed(NO_USER_TOKEN);
  return { token: ctx.userToken };
}

/**
 * Admin mutations: admins only (`requireAdmin`, the app's own gate), made with the acting identity's
 * credentials (`actingAs`: Databricks' gate), and every attempt, refused or not, leaves an audit row with its
 * outcome, through the process's one audit writer.
 */
export const adminProcedure = publicProcedure.use(async ({ ctx, path, getRawInput, next }) => {
  const input = (await getRawInput().catch(() => undefined)) ?? null;
  const actor = await requireAdmin(ctx, path, input);
  let as: UserCredentials | undefined;
  try {
    as = actingAs(ctx);
  } catch (error) {
    await auditAdmin(ctx, { action: path, input, outcome: "rejected", detail: describeFailure(error) });
    throw error;
  }
  const result = await next({ ctx: { lakebase: ctx.services.lakebase, actor, as } });
  if (result.ok) {
    // Create, stop and start end in the background (their `.finished` row says how); delete ends here.
    const outcome: AuditOutcome = hasFailedStep(result.data)
      ? "failed"
      : ACCEPTED_ONLY.has(path) || goesOnInBackground(result.data)
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
      // FORBIDDEN here is Databricks refusing the acting identity (APP_ADMINS refusals never get this far).
      outcome: error.code === "FORBIDDEN" ? "forbidden" : rejected ? "rejected" : "failed",
      detail: { code: error.code, ...describeFailure(error.cause ?? error) },
    });
  }
  return result;
});

const ACCEPTED_ONLY: ReadonlySet<string> = new Set(["lakebase.create", "lakebase.stop", "lakebase.start"]);

/** An Autoscaling action that Databricks took and that goes on after the answer (its outcome is audited then). */
function goesOnInBackground(data: unknown): boolean {
  const d = data as { outcome?: unknown; steps?: { outcome?: unknown }[] } | null;
  return (
    d?.outcome === "started" || (Array.isArray(d?.steps) && d.steps.some((s) => s.outcome === "deleting"))
  );
}

function hasFailedStep(data: unknown): boolean {
  const steps = (data as { steps?: { outcome?: string }[] } | null)?.steps;
  return Array.isArray(steps) && steps.some((s) => s.outcome === "failed");
}
