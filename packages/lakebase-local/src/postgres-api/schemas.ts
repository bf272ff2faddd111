import { z } from "zod";
import { extraIndexDefinitionsSchema, schedulingPolicySchema } from "../sync/spec.ts";

// Request bodies of the `postgres` API as its SDKs send them: the resource with its `spec` (ids go in the
// query string). Unknown fields are ignored (loose), as the service ignores output fields echoed back.
const duration = z.string().regex(/^\d+(\.\d{1,9})?s$/, 'expected a duration like "3600s"');
const timestamp = z.string().refine((v) => !Number.isNaN(Date.parse(v)), "expected an RFC 3339 timestamp");
const cu = z.number().min(0.5, "Compute Units must be at least 0.5").max(64, "Compute Units are at most 64");

export const endpointSettingsSchema = z.looseObject({
  autoscaling_limit_min_cu: cu.optional(),
  autoscaling_limit_max_cu: cu.optional(),
  suspend_timeout_duration: duration.optional(),
  no_suspension: z.boolean().optional(),
  pg_settings: z.record(z.string(), z.string()).optional(),
});

export const projectSpecSchema = z.looseObject({
  display_name: z.string().min(1).max(256).optional(),
  pg_version: z.number().int().optional(),
  default_branch: z.string().optional(),
  history_retention_duration: duration.optional(),
  default_endpoint_settings: endpointSettingsSchema.optional(),
  enable_pg_native_login: z.boolean().optional(),
  custom_tags: z.array(z.looseObject({ key: z.string(), value: z.string() })).optional(),
  budget_policy_id: z.string().optional(),
});

const groupSchema = z.looseObject({
  min: z.number().int().min(1).optional(),
  max: z.number().int().min(1).optional(),
  enable_readable_secondaries: z.boolean().optional(),
});

export const endpointSpecSchema = endpointSettingsSchema.extend({
  endpoint_type: z.enum(["ENDPOINT_TYPE_READ_WRITE", "ENDPOINT_TYPE_READ_ONLY"]).optional(),
  disabled: z.boolean().optional(),
  group: groupSchema.optional(),
  settings: z.looseObject({ pg_settings: z.record(z.string(), z.string()).optional() }).optional(),
});
export type EndpointSpec = z.infer<typeof endpointSpecSchema>;

export const projectBodySchema = z.looseObject({
  spec: projectSpecSchema.optional(),
  initial_endpoint_spec: endpointSpecSchema.optional(),
  initial_branch_spec: z.looseObject({ is_protected: z.boolean().optional() }).optional(),
  initial_database_spec: z.looseObject({ postgres_database: z.string().optional() }).optional(),
});
export type ProjectBody = z.infer<typeof projectBodySchema>;

export const branchSpecSchema = z.looseObject({
  source_branch: z.string().optional(),
  source_branch_lsn: z.string().optional(),
  source_branch_time: timestamp.optional(),
  source_snapshot: z.string().optional(),
  ttl: duration.optional(),
  expire_time: timestamp.optional(),
  no_expiry: z.boolean().optional(),
  is_protected: z.boolean().optional(),
});
export type BranchSpec = z.infer<typeof branchSpecSchema>;

export const branchBodySchema = z.looseObject({ spec: branchSpecSchema.optional() });
export const endpointBodySchema = z.looseObject({ spec: endpointSpecSchema.optional() });

export const databaseBodySchema = z.looseObject({
  spec: z.looseObject({ postgres_database: z.string().optional(), role: z.string().optional() }).optional(),
});

export const roleSpecSchema = z.looseObject({
  postgres_role: z.string().min(1).max(63).optional(),
  identity_type: z.enum(["USER", "SERVICE_PRINCIPAL", "GROUP"]).optional(),
  auth_method: z.enum(["LAKEBASE_OAUTH_V1", "PG_PASSWORD_SCRAM_SHA_256", "NO_LOGIN"]).optional(),
  attributes: z
    .looseObject({
      createdb: z.boolean().optional(),
      createrole: z.boolean().optional(),
      bypassrls: z.boolean().optional(),
    })
    .optional(),
  membership_roles: z.array(z.enum(["DATABRICKS_SUPERUSER"])).optional(),
});
export type RoleSpec = z.infer<typeof roleSpecSchema>;
export const roleBodySchema = z.looseObject({ spec: roleSpecSchema.optional() });

export const catalogBodySchema = z.looseObject({
  spec: z.looseObject({
    postgres_database: z.string().min(1, "spec.postgres_database is required"),
    branch: z.string().min(1, "spec.branch is required"),
    create_database_if_missing: z.boolean().optional(),
  }),
});

export const syncedTableBodySchema = z.looseObject({
  spec: z.looseObject({
    source_table_full_name: z.string().min(1, "spec.source_table_full_name is required"),
    primary_key_columns: z.array(z.string()).min(1, "spec.primary_key_columns must not be empty"),
    timeseries_key: z.string().optional(),
    scheduling_policy: schedulingPolicySchema,
    branch: z.string().optional(),
    postgres_database: z.string().optional(),
    create_database_objects_if_missing: z.boolean().optional(),
    existing_pipeline_id: z.string().optional(),
    new_pipeline_spec: z
      .looseObject({ storage_catalog: z.string().optional(), storage_schema: z.string().optional() })
      .optional(),
    extra_index_definitions: extraIndexDefinitionsSchema.optional(),
  }),
});
export type SyncedTableBody = z.infer<typeof syncedTableBodySchema>;

export const credentialBodySchema = z.looseObject({
  endpoint: z.string().min(1, "endpoint is required"),
  ttl: duration.optional(),
  expire_time: timestamp.optional(),
  claims: z.array(z.unknown()).optional(),
  group_name: z.string().optional(),
});
