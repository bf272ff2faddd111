import { z } from "zod";
import { createInput } from "../../lakebase/admin/schemas.ts";
import type { CreateResult, DeleteResult, ResourceKind } from "../../lakebase/admin/types.ts";
import type { viewerOf } from "../../routers/admin-procedure.ts";
import type { VisibleStatus } from "../../routers/visible-status.ts";
import { restFields } from "../fields/fields.ts";
import { type Snake, toSnake } from "../fields/snake.ts";

export const createQuery = restFields(createInput.shape, {
  in: "query",
  renames: { acknowledgeCost: "create_resources" },
  describe: {
    acknowledgeCost:
      "Must be true: this creates Databricks resources (instance, catalog, synced table) that cost money while they exist",
    capacity: "Capacity of the Lakebase instance",
    nodeCount: "Number of nodes of the instance",
    enableReadableSecondaries: "Serve reads from readable secondaries",
    retentionWindowInDays: "Retention window of the instance, in days",
  },
});

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

const resourceKind = z.enum(["instance", "catalog", "syncedTable"] satisfies ResourceKind[]);

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
        outcome: z.enum(["deleted", "not_found", "failed", "skipped"]),
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
  const message =
    failed.length > 0
      ? `Deletion completed with errors. ${deleted.length} resources deleted, ${failed.length} failed.`
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

export const statusOutput = z
  .object({
    configured: z.boolean().meta({ description: "False when no Databricks workspace is configured" }),
    config: z.object({
      instance_name: z.string(),
      catalog_name: z.string(),
      database_name: z.string(),
      synced_table: z.string(),
      source_table: z.string(),
      storage_catalog: z.string(),
      storage_schema: z.string(),
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
        kind: z.enum(["create", "delete", "stop", "start"]),
        actor: nullableString.meta({ description: "Who started it; null for callers who are not admins" }),
        started_at: z.string(),
        finished_at: nullableString,
        step: z.string(),
        outcome: z.enum(["running", "succeeded", "failed"]),
        error: nullableString,
      })
      .nullable()
      .meta({ description: "The running operation, else the last one" }),
    fetched_at: z.string(),
    viewer: z.object({ email: nullableString, actor: z.string(), is_admin: z.boolean() }),
  })
  .meta({ id: "LakebaseStatus" });

export const toStatusOutput = (
  s: VisibleStatus & { viewer: ReturnType<typeof viewerOf> },
): Snake<VisibleStatus & { viewer: ReturnType<typeof viewerOf> }> => toSnake(s);
