import { type TrackedEnvelope, tracked } from "@trpc/server";
import type { LakebaseStatus, OperationView } from "../lakebase/admin/types.ts";

/** The status as a non-admin sees it: `actor` may be withheld. */
export type VisibleStatus = Omit<LakebaseStatus, "operation"> & {
  operation: (Omit<OperationView, "actor"> & { actor: string | null }) | null;
};

const WITHHELD_ERROR = "The operation failed (the details are shown to admins).";
const WITHHELD_API_ERROR = "Databricks is not answering as it should (the details are shown to admins).";

/**
 * What a status shows to whom. Admins see everything. Everyone else sees states and progress, but no
 * admin's e-mail (the operation's actor), no host names (the instance DNS), and no Databricks or pipeline
 * text (operation errors, Databricks health errors, sync messages, pipeline ids).
 */
export function statusFor(status: LakebaseStatus, admin: boolean): VisibleStatus {
  if (admin) return status;
  const { instance, syncedTable, operation, api } = status;
  return {
    ...status,
    api: { ...api, error: api.error === null ? null : WITHHELD_API_ERROR },
    instance: instance && { ...instance, readWriteDns: null },
    syncedTable: syncedTable && { ...syncedTable, message: null, pipelineId: null },
    operation: operation && {
      ...operation,
      actor: null,
      error: operation.error === null ? null : WITHHELD_ERROR,
    },
  };
}

/** The same for every snapshot of a progress stream (keeping each event's id). */
export async function* progressFor(
  events: AsyncIterable<TrackedEnvelope<LakebaseStatus>>,
  admin: boolean,
): AsyncGenerator<TrackedEnvelope<VisibleStatus>> {
  for await (const [id, status] of events) yield tracked(id, statusFor(status, admin));
}
