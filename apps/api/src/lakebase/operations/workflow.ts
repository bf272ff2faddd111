import { type DatabaseApi, isAlreadyExists, isNotFound } from "@lakebase-orders/lakebase-api";
import type { LakebaseNamesView, OperationView } from "../admin/types.ts";
import type { OperationLock } from "./lock.ts";

/**
 * What a flavour's steps work with, over its API (`A`: the Provisioned `database` API by default, the
 * Autoscaling `postgres` API for an Autoscaling project): the machinery below (lock, lease, journal) is the
 * same for both.
 */
export interface Workflow<A = DatabaseApi> {
  /** The service principal's: every read and wait (the app's own bookkeeping). */
  readonly api: A;
  /**
   * The acting identity's: every change (create, delete) is made with it, so Databricks decides and its
   * audit names whoever acts: the signed-in user, or the service principal when so configured.
   */
  readonly acting: A;
  readonly names: LakebaseNamesView;
  readonly lock: OperationLock;
  /**
   * Begins the next step of `op` (shown in the status, written to the journal). Throws OperationInterrupted
   * instead when the operation must stop here: the app is closing, or another process took its lease (it
   * carries on from the journal; this process must not make one more call).
   */
  step(op: OperationView, step: string): void;
  /** Polls until `done` (see wait-for.ts), at the admin's interval and deadline; interrupted like `step`. */
  wait(op: OperationView, what: string, done: () => Promise<boolean>): Promise<void>;
  /** Our own change: the next status read must ask Databricks. */
  invalidate(): void;
}

/** Runs a create; "already exists" means someone (another replica, the bundle) created it first: that is `existing`. */
export async function createdOrExisting(create: () => Promise<unknown>): Promise<"created" | "existing"> {
  try {
    await create();
    return "created";
  } catch (error) {
    if (isAlreadyExists(error)) return "existing";
    throw error;
  }
}

/** Runs a delete; false when there was nothing to delete (not found). */
export async function deletedOrNotFound(del: () => Promise<void>): Promise<boolean> {
  try {
    await del();
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}
