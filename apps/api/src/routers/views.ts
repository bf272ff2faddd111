import { unauthorized, unavailable } from "../errors/domain-error.ts";
import type { Identity } from "../identity/identity.ts";
import { personSeenBy } from "../identity/people.ts";
import { saveViewInput, viewIdInput } from "../views/schemas.ts";
import { publicProcedure, router } from "./procedures.ts";

// Views live in app_data: until the database answers and is migrated, SERVICE_UNAVAILABLE with the reason.
const viewsProcedure = publicProcedure.use(({ ctx, next }) => {
  const state = ctx.services.readiness.state();
  if (!state.ready) {
    throw unavailable(`Saved views are not available yet: ${state.reason ?? "the database is not ready"}`);
  }
  return next();
});

// Views belong to the caller's identity (the Apps proxy's, or the local one): an anonymous caller has none to
// list and may not save. A view's id is its capability: whoever holds the link may open it.
const ownerProcedure = viewsProcedure.use(({ ctx, next }) => {
  const owner = ownerOf(ctx.identity);
  if (!owner) throw unauthorized("Sign in to save views");
  return next({ ctx: { owner } });
});

function ownerOf(identity: Identity): string | null {
  return identity.source === "anonymous" ? null : identity.actor;
}

export const viewsRouter = router({
  list: viewsProcedure.query(({ ctx }) => {
    const owner = ownerOf(ctx.identity);
    return owner ? ctx.services.views.list(owner) : { views: [], max: 0 };
  }),
  get: viewsProcedure.input(viewIdInput).query(async ({ ctx, input }) => {
    const view = await ctx.services.views.get(input.id, ownerOf(ctx.identity));
    // A shared link shows who shared it only to admins and to that person: others read "another user".
    return { ...view, owner: personSeenBy(view.owner, ctx.identity, ctx.services.config.identity) };
  }),
  save: ownerProcedure
    .input(saveViewInput)
    .mutation(({ ctx, input }) => ctx.services.views.save(ctx.owner, input)),
  delete: ownerProcedure
    .input(viewIdInput)
    .mutation(({ ctx, input }) => ctx.services.views.remove(ctx.owner, input.id)),
});
