import { useLakebaseStatus } from "./lakebase.ts";

export interface Viewer {
  email: string | null;
  isAdmin: boolean;
}

/**
 * Who is looking, from `lakebase.status`, to show or hide the admin console. The API still refuses
 * non-admins on every admin mutation: this only avoids offering controls that would fail.
 */
export function useViewer(): Viewer {
  const status = useLakebaseStatus();
  const viewer = status.data?.viewer;
  return { email: viewer?.email ?? null, isAdmin: viewer?.isAdmin ?? false };
}
