import { z } from "zod";

/** `UpdateInfoState` of the Pipelines API. */
export type UpdateState =
  | "QUEUED"
  | "CREATED"
  | "WAITING_FOR_RESOURCES"
  | "INITIALIZING"
  | "RESETTING"
  | "SETTING_UP_TABLES"
  | "RUNNING"
  | "STOPPING"
  | "COMPLETED"
  | "FAILED"
  | "CANCELED";

export const updateCauseSchema = z.enum([
  "API_CALL",
  "JOB_TASK",
  "RETRY_ON_FAILURE",
  "SCHEMA_CHANGE",
  "SERVICE_UPGRADE",
  "USER_ACTION",
  "INFRASTRUCTURE_MAINTENANCE",
]);
export type UpdateCause = z.infer<typeof updateCauseSchema>;

const tableNames = z.array(z.string().min(1).max(400)).max(100);

/** `POST /api/2.0/pipelines/{pipeline_id}/updates` (StartUpdate); fields the SDK sends, others ignored. */
export const startUpdateSchema = z.looseObject({
  full_refresh: z.boolean().optional(),
  refresh_selection: tableNames.optional(),
  full_refresh_selection: tableNames.optional(),
  cause: updateCauseSchema.optional(),
  validate_only: z.boolean().optional(),
});
export type StartUpdateRequest = z.infer<typeof startUpdateSchema>;

export interface UpdateRecord {
  update_id: string;
  pipeline_id: string;
  state: UpdateState;
  cause: UpdateCause;
  /** Epoch milliseconds, as `UpdateInfo.creation_time`. */
  creation_time: number;
  full_refresh: boolean;
  refresh_selection?: string[];
  full_refresh_selection?: string[];
  validate_only?: boolean;
}

export const FINAL_STATES: readonly UpdateState[] = ["COMPLETED", "FAILED", "CANCELED"];

/** `UpdateInfo` (GET .../updates/{id}, list). */
export function updateInfoJson(u: UpdateRecord) {
  return {
    update_id: u.update_id,
    pipeline_id: u.pipeline_id,
    state: u.state,
    cause: u.cause,
    creation_time: u.creation_time,
    full_refresh: u.full_refresh,
    ...(u.refresh_selection ? { refresh_selection: u.refresh_selection } : {}),
    ...(u.full_refresh_selection ? { full_refresh_selection: u.full_refresh_selection } : {}),
    ...(u.validate_only ? { validate_only: true } : {}),
  };
}

/** `UpdateStateInfo` (a pipeline's `latest_updates`). */
export function updateStateInfoJson(u: UpdateRecord) {
  return { update_id: u.update_id, state: u.state, creation_time: new Date(u.creation_time).toISOString() };
}
