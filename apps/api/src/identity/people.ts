import type { IdentityConfig } from "@lakebase-orders/config";
import { emailOf, type Identity, isAdmin } from "./identity.ts";

/** What a caller who is neither an admin nor the person sees in place of someone else's identity. */
export const SOMEONE_ELSE = "another user";

/**
 * Another person's identity (an e-mail, or a user id) as `viewer` may see it: in full by admins and by that
 * person themself, otherwise not at all (`SOMEONE_ELSE`): an analyst learns that someone else changed a
 * status or shared a view, not their e-mail address.
 */
export function personSeenBy(
  person: string,
  viewer: Identity,
  config: Pick<IdentityConfig, "admins">,
): string {
  if (isSelf(person, viewer) || isAdmin(viewer, config)) return person;
  return SOMEONE_ELSE;
}

function isSelf(person: string, viewer: Identity): boolean {
  if (viewer.source === "anonymous") return false;
  const p = person.trim().toLowerCase();
  return p === viewer.actor.trim().toLowerCase() || p === emailOf(viewer)?.trim().toLowerCase();
}
