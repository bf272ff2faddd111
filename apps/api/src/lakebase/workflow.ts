import type { LakebaseApi } from "./databricks.ts";
import { isApiError } from "./databricks-errors.ts";
import type { OperationLock } from "./operation-lock.ts";
import type { LakebaseNamesView } from "./types.ts";

/** What the create and delete workflows work with. */
export interface Workflow {
  /** The service principal's: every read and wait (the app's own bookkeeping). */
  readonly api: LakebaseApi;
  /**
   * The acting identity's: every change (create, delete) is made with it, so Databricks decides and its
   * audit names whoever acts: the signed-in user, or the service principal when so configured.
   */
  readonly acting: LakebaseApi;
  readonly names: LakebaseNamesView;
  readonly lock: OperationLock;
  /** Polls until `done` (see wait-for.ts), at the admin's interval and deadline. */
  wait(what: string, done: () => Promise<boolean>): Promise<void>;
  /** Our own change: the next status read must ask Databricks. */
  invalidate(): void;
}

/** Runs a create; a 409 means someone (another replica, the bundle) created it first: that is `existing`. */
export async function createdOrExisting(create: () => Promise<unknown>): Promise<"created" | "existing"> {
  try {
    await create();
    return "created";
  } catch (error) {
    if (isApiError(error) && error.statusCode === 409) return "existing";
    throw error;
  }
}

/** Runs a delete; false when there was nothing to delete (404). */
export async function deletedOrNotFound(del: () => Promise<void>): Promise<boolean> {
  try {
    await del();
    return true;
  } catch (error) {
    if (isApiError(error) && error.statusCode === 404) return false;
    throw error;
  }
}
