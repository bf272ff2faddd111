import { z } from "zod";
import { extraIndexDefinitionsSchema } from "../sync/spec.ts";

// Request bodies as the SDK sends them. Unknown fields are ignored (loose), as the service does for outputs
// echoed back by clients (e.g. `state`, `uid` in a PATCH body).
export const capacitySchema = z.enum(["CU_1", "CU_2", "CU_4", "CU_8"]);
const customTagsSchema = z.array(z.object({ key: z.string().min(1), value: z.string() })).max(50);

export const instanceInputSchema = z.looseObject({
  name: z.string({ error: "name is required" }),
  capacity: capacitySchema.optional(),
  stopped: z.boolean().optional(),
  node_count: z.number().int().min(1).max(3).optional(),
  enable_readable_secondaries: z.boolean().optional(),
  retention_window_in_days: z.number().int().min(2).max(35).optional(),
  custom_tags: customTagsSchema.optional(),
  enable_pg_native_login: z.boolean().optional(),
});
export type InstanceInput = z.infer<typeof instanceInputSchema>;

export const instancePatchSchema = instanceInputSchema.partial();
export const UPDATABLE_INSTANCE_FIELDS = [
  "stopped",
  "capacity",
  "node_count",
  "enable_readable_secondaries",
  "retention_window_in_days",
  "custom_tags",
] as const;

export const credentialRequestSchema = z.looseObject({
  instance_names: z.array(z.string()).min(1, "instance_names must name at least one instance"),
  request_id: z.string().optional(),
  claims: z.array(z.unknown()).optional(),
});

export const postgresCredentialRequestSchema = z.looseObject({
  endpoint: z.string().min(1, "endpoint is required"),
});

export const catalogInputSchema = z.looseObject({
  name: z.string().min(1, "name is required"),
  database_instance_name: z.string().min(1, "database_instance_name is required"),
  database_name: z.string().min(1, "database_name is required"),
  create_database_if_not_exists: z.boolean().optional(),
});
export type CatalogInput = z.infer<typeof catalogInputSchema>;

export const schedulingPolicySchema = z.enum(["SNAPSHOT", "TRIGGERED", "CONTINUOUS"]);

export const syncedTableInputSchema = z.looseObject({
  name: z.string().min(1, "name is required"),
  database_instance_name: z.string().optional(),
  logical_database_name: z.string().optional(),
  spec: z.looseObject({
    source_table_full_name: z.string().min(1, "spec.source_table_full_name is required"),
    primary_key_columns: z.array(z.string()).min(1, "spec.primary_key_columns must not be empty"),
    timeseries_key: z.string().optional(),
    scheduling_policy: schedulingPolicySchema,
    create_database_objects_if_missing: z.boolean().optional(),
    existing_pipeline_id: z.string().optional(),
    new_pipeline_spec: z
      .looseObject({ storage_catalog: z.string().optional(), storage_schema: z.string().optional() })
      .optional(),
    extra_index_definitions: extraIndexDefinitionsSchema.optional(),
  }),
});
export type SyncedTableInput = z.infer<typeof syncedTableInputSchema>;
