import type { LakebaseFlavour, LakebaseTarget } from "@lakebase-orders/config";
import type { Capacity } from "@lakebase-orders/shared";
import type { DataAvailability } from "../../orders/reads/availability.ts";
import type {
  AttachInput,
  BranchCreateInput,
  BranchDeleteInput,
  ComputeInput,
  EndpointCreateInput,
  EndpointDeleteInput,
  EndpointUpdateInput,
} from "../autoscaling/schemas.ts";
import type { OperationKind } from "../operations/recorded.ts";
import type { Poller } from "../status/poller.ts";
import type { InstanceStatus, ResourceSnapshot } from "../status/snapshot.ts";
import type { BranchView, EndpointView, ResourceView } from "./resources.ts";

export type { OperationKind } from "../operations/recorded.ts";
export type { BranchView, EndpointView, ResourceView } from "./resources.ts";

/** What a create or delete lists per resource: Provisioned's three, Autoscaling's project and branch too. */
export type ResourceKind = "instance" | "catalog" | "syncedTable" | "project" | "branch";

export interface CreateInput {
  /** Provisioned: the instance's capacity (Autoscaling sizes its endpoints with `compute`). */
  capacity: Capacity;
  nodeCount: number;
  enableReadableSecondaries?: boolean;
  /** Provisioned: the instance's retention window; Autoscaling: the project's history window. */
  retentionWindowInDays?: number;
  /** Autoscaling only: min/max CU and the suspend timeout of the new project's endpoints. */
  compute?: ComputeInput;
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
  /**
   * `skipped`: not attempted because an earlier step failed (the later resources still exist); `deleting`:
   * Databricks took the delete and it goes on after the answer (an Autoscaling project: watch the status).
   */
  outcome: "deleted" | "not_found" | "failed" | "skipped" | "deleting";
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
  kind: OperationKind;
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
  /** Provisioned: the instance; Autoscaling: the project id (what a delete is confirmed with). */
  instanceName: string;
  catalogName: string;
  databaseName: string;
  /** `catalog.schema.table` */
  syncedTable: string;
  sourceTable: string;
  storageCatalog: string;
  storageSchema: string;
  /** The Autoscaling target the app is bound to (full resource names); null on Provisioned. */
  autoscaling: { project: string; branch: string; endpoint: string; readEndpoint: string } | null;
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
  /** Which Lakebase the app is bound to (fixed by its configuration). */
  flavour: LakebaseFlavour;
  /**
   * Every resource the console shows, whatever the flavour (Provisioned: instance, catalog, synced table;
   * Autoscaling: project, branches, the app branch's endpoints, catalog, synced table). The Provisioned
   * fields above stay as they were: on Autoscaling `instance` is the project as the `database` API shows it
   * (its state from the app's read-write endpoint: STOPPED when disabled).
   */
  resources: ResourceView[];
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

/** What an Autoscaling action answers: its operation (followed in `lakebase.status`/`progress`) and target. */
export interface ActionResult {
  /** The app's operation (status.operation.id), audited as `lakebase.<kind>.finished` when it ends. */
  operationId: string;
  kind: OperationKind;
  /** The full name of the resource acted on. */
  resource: string;
  /**
   * `started`: Databricks took it and it goes on in the background (watch the status); `existing`: a create
   * found it there already (a retried create); `not_found`: a delete found it gone already.
   */
  outcome: "started" | "existing" | "not_found";
  /** The `postgres` API operation behind it, when one was started. */
  databricksOperation: string | null;
}

/**
 * The Autoscaling-only actions (branches, read-only endpoints, compute settings, data on a branch), reached
 * through `lakebase.branches.*`, `lakebase.endpoints.*` and `lakebase.data.*`. Each runs under the same
 * operation lock and lease as create/delete (one operation at a time per project), acts as the user whose
 * credentials are given, and is audited. Absent (null) on a Provisioned admin.
 */
export interface AutoscalingActions {
  readonly target: Extract<LakebaseTarget, { flavour: "autoscaling" }>;
  listBranches(): Promise<BranchView[]>;
  createBranch(input: BranchCreateInput, actor: string, as?: UserCredentials): Promise<ActionResult>;
  deleteBranch(input: BranchDeleteInput, actor: string, as?: UserCredentials): Promise<ActionResult>;
  /** The endpoints of a branch (default: the app's). */
  listEndpoints(branchId?: string): Promise<EndpointView[]>;
  /** A read-only endpoint (a branch has one read-write endpoint, its `primary`). */
  createEndpoint(input: EndpointCreateInput, actor: string, as?: UserCredentials): Promise<ActionResult>;
  /** Min/max CU and the suspend timeout. */
  updateEndpoint(input: EndpointUpdateInput, actor: string, as?: UserCredentials): Promise<ActionResult>;
  deleteEndpoint(input: EndpointDeleteInput, actor: string, as?: UserCredentials): Promise<ActionResult>;
  /** A catalog and the synced table on a branch's database. */
  attachData(input: AttachInput, actor: string, as?: UserCredentials): Promise<ActionResult>;
}

/**
 * The lifecycle admin of the Lakebase resources, as routers see it, for either flavour (the composition root
 * picks the implementation). When no workspace is configured it still answers status (configured: false)
 * and refuses every mutation with PRECONDITION_FAILED.
 */
export interface LakebaseAdmin {
  readonly configured: boolean;
  readonly flavour: LakebaseFlavour;
  readonly names: LakebaseNamesView;
  /** The Autoscaling-only actions; null on Provisioned (their procedures answer PRECONDITION_FAILED). */
  readonly autoscaling: AutoscalingActions | null;
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
  /**
   * Deletes everything in dependency order, each after the previous one is gone: synced table, catalog,
   * then the instance (Provisioned) or the project with its branches and endpoints (Autoscaling).
   */
  delete(actor: string, as?: UserCredentials): Promise<DeleteResult>;
  /** Provisioned: stops/starts the instance; Autoscaling: disables/enables the app's read-write endpoint. */
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
