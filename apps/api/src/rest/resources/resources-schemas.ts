import { z } from "zod";
import { createInput } from "../../lakebase/admin/schemas.ts";
import type {
  CreateInput,
  CreateResult,
  DeleteResult,
  OperationKind,
  ResourceKind,
} from "../../lakebase/admin/types.ts";
import type { viewerOf } from "../../routers/admin-procedure.ts";
import type { VisibleStatus } from "../../routers/visible-status.ts";
import { restFields } from "../fields/fields.ts";
import { type Snake, toSnake } from "../fields/snake.ts";

// The Autoscaling compute settings travel flat in the query (a query has no objects, and cannot say null:
// `no_suspension=true` is `suspendTimeoutSeconds: null`); the procedure checks them together.
const { compute, ...createShape } = createInput.shape;
const computeShape = compute.unwrap().shape;
const createFields = restFields(
  { ...createShape, ...computeShape, noSuspension: z.literal(true).optional() },
  {
    in: "query",
    renames: { acknowledgeCost: "create_resources" },
    describe: {
      acknowledgeCost:
        "Must be true: this creates Databricks resources (instance or project, catalog, synced table) that cost money while they exist",
      capacity: "Provisioned: capacity of the Lakebase instance",
      nodeCount: "Provisioned: number of nodes of the instance",
      enableReadableSecondaries: "Provisioned: serve reads from readable secondaries",
      retentionWindowInDays: "Retention window of the instance, or history window of the project, in days",
      minCu: "Autoscaling: least Compute Units of the project's endpoints (0.5 to 64, in halves)",
      maxCu: "Autoscaling: most Compute Units (at most 16 above min_cu)",
      suspendTimeoutSeconds: "Autoscaling: scale to zero after this long idle (60 to 604800)",
      noSuspension: "Autoscaling: never scale to zero",
    },
  },
);
export const createQuery = {
  schema: createFields.schema,
  names: createFields.names,
  toInput(values: Parameters<typeof createFields.toInput>[0]): CreateInput & { acknowledgeCost: true } {
    const { minCu, maxCu, suspendTimeoutSeconds, noSuspension, ...rest } = createFields.toInput(values);
    const settings = {
      ...(minCu !== undefined ? { minCu } : {}),
      ...(maxCu !== undefined ? { maxCu } : {}),
      ...(noSuspension
        ? { suspendTimeoutSeconds: null }
        : suspendTimeoutSeconds !== undefined
          ? { suspendTimeoutSeconds }
          : {}),
    };
    return { ...rest, ...(Object.keys(settings).length > 0 ? { compute: settings } : {}) };
  },
};

// REST only: the tRPC delete asks for the instance name instead; the guide asks for this flag.
export const deleteQuery = restFields(
  {
    confirmDeletion: z.literal(true, {
      error: "confirm_deletion must be true: this deletes the synced table, the catalog and the instance",
    }),
  },
  {
    in: "query",
    describe: { confirmDeletion: "Must be true: the three resources are deleted with their data" },
  },
);

const resourceKind = z.enum([
  "instance",
  "catalog",
  "syncedTable",
  "project",
  "branch",
] satisfies ResourceKind[]);
export const operationKind = z.enum([
  "create",
  "delete",
  "stop",
  "start",
  "branch.create",
  "branch.delete",
  "endpoint.create",
  "endpoint.update",
  "endpoint.delete",
  "data.attach",
] satisfies OperationKind[]);

export const createOutput = z
  .object({
    instance: z.string(),
    catalog: z.string(),
    synced_table: z.string(),
    message: z.string(),
    operation_id: z.string(),
    resources: z.array(
      z.object({
        resource: resourceKind,
        name: z.string(),
        outcome: z.enum(["created", "existing"]),
        in_background: z.boolean().meta({ description: "Still being provisioned after this answer" }),
      }),
    ),
  })
  .meta({ id: "LakebaseResourcesResponse" });

const LABELS: Record<ResourceKind, string> = {
  instance: "Database instance",
  catalog: "Catalog",
  syncedTable: "Synced table",
  project: "Project",
  branch: "Branch",
};

export function toCreateOutput(r: CreateResult): z.infer<typeof createOutput> {
  const name = (kind: ResourceKind) => r.resources.find((x) => x.resource === kind)?.name ?? "";
  const done = r.resources.map((x) => `${LABELS[x.resource]} ${x.name}: ${x.outcome}`).join("; ");
  return {
    instance: name("instance"),
    catalog: name("catalog"),
    synced_table: name("syncedTable"),
    message: r.resources.some((x) => x.inBackground)
      ? `${done}. Provisioning continues in the background: GET /api/v1/resources/status shows its progress.`
      : `${done}. Nothing left to provision.`,
    operation_id: r.operationId,
    resources: toSnake(r.resources),
  };
}

export const deleteOutput = z
  .object({
    deleted_resources: z.array(z.string()),
    failed_deletions: z.array(z.string()),
    message: z.string(),
    operation_id: z.string(),
    steps: z.array(
      z.object({
        resource: resourceKind,
        name: z.string(),
        outcome: z.enum(["deleted", "not_found", "failed", "skipped", "deleting"]),
        error: z.string().optional(),
        databricks: z.object({ error_code: z.string(), status_code: z.number().int() }).optional(),
      }),
    ),
    pipeline_id: z.string().nullable(),
    note: z.string(),
  })
  .meta({ id: "LakebaseResourcesDeleteResponse" });

export function toDeleteOutput(r: DeleteResult): z.infer<typeof deleteOutput> {
  const label = (s: DeleteResult["steps"][number]) => `${LABELS[s.resource]}: ${s.name}`;
  const deleted = r.steps.filter((s) => s.outcome === "deleted").map(label);
  const failed = r.steps
    .filter((s) => s.outcome === "failed")
    .map((s) => `${label(s)} - ${s.error ?? "failed"}`);
  const absent = r.steps.filter((s) => s.outcome === "not_found").length;
  const going = r.steps.filter((s) => s.outcome === "deleting").map(label);
  const message =
    failed.length > 0
      ? `Deletion completed with errors. ${deleted.length} resources deleted, ${failed.length} failed.`
      : going.length > 0
        ? `${deleted.length} resources deleted; ${going.join(", ")} is being deleted in the background: GET /api/v1/resources/status shows when it is gone.`
        : `All ${deleted.length} resources deleted successfully.${absent > 0 ? ` ${absent} did not exist.` : ""}`;
  return {
    deleted_resources: deleted,
    failed_deletions: failed,
    message,
    operation_id: r.operationId,
    steps: toSnake(r.steps),
    pipeline_id: r.pipelineId,
    note: r.note,
  };
}

const nullableString = z.string().nullable();

export const resourceView = z
  .object({
    kind: z.enum(["instance", "project", "branch", "endpoint", "catalog", "syncedTable"]),
    name: z.string().meta({ description: "Full resource name (Autoscaling: projects/p/branches/b/...)" }),
    id: z.string(),
    state: nullableString,
    parent: nullableString,
    in_use: z.boolean().meta({ description: "The app is bound to it (its project, branch, endpoint)" }),
    created_at: nullableString,
    detail: z
      .record(z.string(), z.unknown())
      .meta({ description: "Kind-specific: CU and suspend timeout of an endpoint, expiry of a branch, ..." }),
  })
  .meta({ id: "LakebaseResource" });

export const statusOutput = z
  .object({
    configured: z.boolean().meta({ description: "False when no Databricks workspace is configured" }),
    flavour: z
      .enum(["provisioned", "autoscaling"])
      .meta({ description: "Lakebase Provisioned (an instance) or Autoscaling (a project)" }),
    config: z.object({
      instance_name: z.string().meta({ description: "The instance, or the Autoscaling project id" }),
      catalog_name: z.string(),
      database_name: z.string(),
      synced_table: z.string(),
      source_table: z.string(),
      storage_catalog: z.string(),
      storage_schema: z.string(),
      autoscaling: z
        .object({ project: z.string(), branch: z.string(), endpoint: z.string(), read_endpoint: z.string() })
        .nullable(),
    }),
    instance: z
      .object({
        name: z.string(),
        state: nullableString,
        capacity: nullableString,
        node_count: z.number().int().nullable(),
        read_write_dns: nullableString,
        pg_version: nullableString,
        stopped: z.boolean(),
        created_at: nullableString,
      })
      .nullable(),
    catalog: z.object({ name: z.string(), database_name: z.string() }).nullable(),
    synced_table: z
      .object({
        name: z.string(),
        state: nullableString,
        detailed_state: nullableString,
        progress: z
          .object({ synced_rows: z.number().int(), total_rows: z.number().int(), fraction: z.number() })
          .nullable(),
        last_sync_at: nullableString,
        pipeline_id: nullableString,
        message: nullableString,
      })
      .nullable(),
    operation: z
      .object({
        id: z.string(),
        kind: operationKind,
        actor: nullableString.meta({ description: "Who started it; null for callers who are not admins" }),
        started_at: z.string(),
        finished_at: nullableString,
        step: z.string(),
        outcome: z.enum(["running", "succeeded", "failed"]),
        error: nullableString,
      })
      .nullable()
      .meta({ description: "The running operation, else the last one" }),
    resources: z.array(resourceView).meta({ description: "Every resource, whatever the flavour" }),
    fetched_at: z.string(),
    viewer: z.object({ email: nullableString, actor: z.string(), is_admin: z.boolean() }),
  })
  .meta({ id: "LakebaseStatus" });

export const toStatusOutput = (
  s: VisibleStatus & { viewer: ReturnType<typeof viewerOf> },
): Snake<VisibleStatus & { viewer: ReturnType<typeof viewerOf> }> => toSnake(s);
