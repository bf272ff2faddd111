import type { Capacity } from "@lakebase-orders/shared";
import type { DataAvailability } from "../../orders/reads/availability.ts";
import type { Poller } from "../status/poller.ts";
import type { InstanceStatus, ResourceSnapshot } from "../status/snapshot.ts";

export type ResourceKind = "instance" | "catalog" | "syncedTable";

export interface CreateInput {
  capacity: Capacity;
  nodeCount: number;
  enableReadableSecondaries?: boolean;
  retentionWindowInDays?: number;
}

export interface CreateResult {
  operationId: string;
  resources: {
    resource: ResourceKind;
    name: string;
    outcome: "created" | "existing";
    inBackground: boolean;
  }[];
}

export interface DeleteStep {
  resource: ResourceKind;
  name: string;
  /** `skipped`: not attempted because an earlier step failed (the later resources still exist). */
  outcome: "deleted" | "not_found" | "failed" | "skipped";
  error?: string;
  databricks?: { errorCode: string; statusCode: number };
}

export interface DeleteResult {
  operationId: string;
  steps: DeleteStep[];
  pipelineId: string | null;
  note: string;
}

export interface OperationView {
  id: string;
  kind: "create" | "delete" | "stop" | "start";
  actor: string;
  startedAt: string;
  finishedAt: string | null;
  /** What it is doing now, e.g. "waiting for the instance to be AVAILABLE". */
  step: string;
  outcome: "running" | "succeeded" | "failed";
  error: string | null;
}

/** The resource names as the status shows them (who the admins are is not for every user to see). */
export interface LakebaseNamesView {
  instanceName: string;
  catalogName: string;
  databaseName: string;
  /** `catalog.schema.table` */
  syncedTable: string;
  sourceTable: string;
  storageCatalog: string;
  storageSchema: string;
}

/** How the Databricks API answered the last round of status calls. */
export interface DatabricksHealth {
  ok: boolean;
  /** What went wrong (throttled, failing, no answer within the deadline), for the console. */
  error: string | null;
  /** Since when it has been failing (ISO time). */
  failingSince: string | null;
  databricks: { errorCode: string; statusCode: number } | null;
}

export interface LakebaseStatus extends ResourceSnapshot {
  configured: boolean;
  config: LakebaseNamesView;
  /**
   * The current or last operation, the same in every process: the newer of the shared journal's latest row
   * and the operation the resources carry, judged against the resources (operations/outcome.ts). A succeeded
   * or failed outcome read back from the resources has no `finishedAt` (its journal could not take it yet).
   */
  operation: OperationView | null;
  /** When the snapshot was taken: while Databricks fails, the last good one is shown (see `api`). */
  fetchedAt: string;
  api: DatabricksHealth;
}

/**
 * The signed-in user's own Databricks credentials (the token the Apps proxy forwards): a change made with
 * them is Databricks' to allow or refuse, and its audit names the person. Held in memory for the operation
 * it started only (a create's background steps included), never stored or logged.
 */
export interface UserCredentials {
  readonly token: string;
}

/**
 * The lifecycle admin of the three Lakebase resources, as routers see it. When no workspace is configured
 * it still answers status (configured: false) and refuses every mutation with PRECONDITION_FAILED.
 */
export interface LakebaseAdmin {
  readonly configured: boolean;
  readonly names: LakebaseNamesView;
  /** One status poll loop shared by every progress subscriber. */
  readonly poller: Poller<LakebaseStatus>;
  /** Status of the three resources (a snapshot at most `maxAgeMs` old) plus the running operation. */
  status(options?: { maxAgeMs?: number }): Promise<LakebaseStatus>;
  /** Whether the synced table can be read, from the cached status; `fallback` answers without a workspace. */
  availability(fallback: () => Promise<DataAvailability>): () => Promise<DataAvailability>;
  /**
   * Takes the operation lock and does the first calls; provisioning continues in the background. Every
   * mutation acts `as` the user whose credentials are given, else as the app's service principal; reads and
   * waits are always the service principal's (they are the app's bookkeeping, not the user's action).
   */
  create(input: CreateInput, actor: string, as?: UserCredentials): Promise<CreateResult>;
  /** Deletes synced table, catalog, instance, each after the previous one is gone. */
  delete(actor: string, as?: UserCredentials): Promise<DeleteResult>;
  setStopped(stopped: boolean, actor: string, as?: UserCredentials): Promise<{ instance: InstanceStatus }>;
  /**
   * Why the database does not answer right now when that is its compute waking from scale to zero (a
   * Lakebase Autoscaling endpoint: the failure is a refused or ended connection or a deadline, and the
   * database is not known to be stopped), for readiness to say "waking" rather than "down"; null otherwise
   * (always for a Provisioned instance, which does not scale to zero).
   */
  wakeReason(error: unknown): string | null;
  /** Resolves when background provisioning (if any) has ended. */
  idle(): Promise<void>;
  /**
   * Looks for operations a stopped process left unfinished (the journal, and our create's tag on the
   * instance) and resumes or reports them. Runs at start-up and whenever the database becomes ready.
   */
  recover(): Promise<void>;
  close(): Promise<void>;
}
