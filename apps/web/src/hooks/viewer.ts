import { useLakebaseStatus } from "./lakebase.ts";

export interface Viewer {
  email: string | null;
  isAdmin: boolean;
}

/**
 * Who is looking, for showing or hiding the admin console. The API still refuses non-admins on every
 * admin mutation: this only avoids showing controls that would fail.
 */
export function useViewer(): Viewer {
  const status = useLakebaseStatus();
  // Until lakebase.status reports the viewer, an unreadable status means "not an admin".
  return { email: null, isAdmin: status.isSuccess };
}
