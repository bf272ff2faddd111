// What the resources themselves say about the operations made on them: no imports, so the status snapshot and
// the operations machinery can both name it.

/**
 * What an operation does: the lifecycle of the resources (both flavours), or a Lakebase Autoscaling action on
 * a branch, an endpoint, or the data attached to a branch.
 */
export type OperationKind =
  | "create"
  | "delete"
  | "stop"
  | "start"
  | "branch.create"
  | "branch.delete"
  | "endpoint.create"
  | "endpoint.update"
  | "endpoint.delete"
  | "data.attach";

/**
 * An operation as the Databricks resources carry it (Provisioned: the instance's custom tags, written by the
 * very call that makes the change). Databricks keeps it while the app's database is stopped, starting or not
 * created yet, so every process of the app, in every container, reads the same one.
 */
export interface RecordedOperation {
  id: string;
  kind: OperationKind;
  actor: string;
  startedAt: string;
  /** Set only by an operation that failed while no journal could take its outcome (the error, shortened). */
  failed: string | null;
  /** How the operation this one followed had ended, as the resources showed it when this one began. */
  previous: { id: string; outcome: "succeeded" | "failed" } | null;
}
