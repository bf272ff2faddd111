import { z } from "zod";

export type Env = Record<string, string | undefined>;

/** Names of the three Lakebase resources and who may manage them. */
export interface LakebaseConfig {
  /** False when no workspace is configured (no DATABRICKS_HOST): status says so and mutations refuse. */
  configured: boolean;
  instanceName: string;
  catalogName: string;
  databaseName: string;
  /** 3-part Unity Catalog name `catalog.schema.table`. */
  syncedTable: string;
  sourceTable: string;
  storageCatalog: string;
  storageSchema: string;
  /** Lower-cased e-mails. */
  admins: string[];
}

// Matches the local Lakebase dev seed, so `pnpm dev` works with no variables at all.
export const LOCAL_DEFAULTS = {
  instanceName: "orders-local",
  catalogName: "orders_catalog",
  databaseName: "orders",
  sourceTable: "samples.tpch.orders",
  storageCatalog: "main",
  storageSchema: "default",
  admins: "local-admin@example.com",
} as const;

const INSTANCE = /^[a-z][a-z0-9-]{0,62}$/;
const UC_PART = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;
const THREE_PART = /^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/;
const EMAIL = z.email();

// app.yaml writes every variable, empty when the bundle has no value: empty means "use the default".
const optional = (schema: z.ZodString) =>
  z.preprocess((v) => (typeof v === "string" ? v.trim() || undefined : v), schema.optional());

const envSchema = z.object({
  DATABRICKS_HOST: optional(z.string()),
  LAKEBASE_INSTANCE_NAME: optional(
    z.string().regex(INSTANCE, "lowercase letters, digits and hyphens, starting with a letter, at most 63"),
  ),
  LAKEBASE_CATALOG_NAME: optional(
    z.string().regex(UC_PART, "a Unity Catalog identifier (letters, digits, _)"),
  ),
  LAKEBASE_DATABASE_NAME: optional(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,62}$/, "a Postgres database name"),
  ),
  LAKEBASE_SYNCED_TABLE: optional(z.string().regex(THREE_PART, "must be catalog.schema.table")),
  LAKEBASE_SOURCE_TABLE: optional(z.string().regex(THREE_PART, "must be catalog.schema.table")),
  SYNCED_TABLE_STORAGE_CATALOG: optional(z.string().regex(UC_PART, "a Unity Catalog identifier")),
  SYNCED_TABLE_STORAGE_SCHEMA: optional(z.string().regex(UC_PART, "a Unity Catalog identifier")),
  APP_ADMINS: optional(z.string()),
});

export class LakebaseConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LakebaseConfigError";
  }
}

/** Reads and validates the Lakebase variables; throws one readable error naming every bad variable. */
export function loadLakebaseConfig(env: Env): LakebaseConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new LakebaseConfigError(`invalid Lakebase configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const catalogName = e.LAKEBASE_CATALOG_NAME ?? LOCAL_DEFAULTS.catalogName;
  const syncedTable = e.LAKEBASE_SYNCED_TABLE ?? `${catalogName}.public.orders_synced`;
  // The synced table lives in the catalog's database: another catalog would register it elsewhere.
  if (syncedTable.split(".")[0] !== catalogName) {
    throw new LakebaseConfigError(
      `invalid Lakebase configuration:\n  LAKEBASE_SYNCED_TABLE: "${syncedTable}" must be in the catalog LAKEBASE_CATALOG_NAME="${catalogName}"`,
    );
  }
  // Inside Databricks Apps nobody is an admin unless APP_ADMINS names them; locally the local identity is.
  const admins = (e.APP_ADMINS ?? (env.DATABRICKS_APP_NAME ? "" : LOCAL_DEFAULTS.admins))
    .split(",")
    .map((a) => a.trim().toLowerCase())
    .filter(Boolean);
  const badAdmin = admins.find((a) => !EMAIL.safeParse(a).success);
  if (badAdmin) {
    throw new LakebaseConfigError(
      `invalid Lakebase configuration:\n  APP_ADMINS: "${badAdmin}" is not an e-mail`,
    );
  }
  return {
    configured: Boolean(e.DATABRICKS_HOST),
    instanceName: e.LAKEBASE_INSTANCE_NAME ?? LOCAL_DEFAULTS.instanceName,
    catalogName,
    databaseName: e.LAKEBASE_DATABASE_NAME ?? LOCAL_DEFAULTS.databaseName,
    syncedTable,
    sourceTable: e.LAKEBASE_SOURCE_TABLE ?? LOCAL_DEFAULTS.sourceTable,
    storageCatalog: e.SYNCED_TABLE_STORAGE_CATALOG ?? LOCAL_DEFAULTS.storageCatalog,
    storageSchema: e.SYNCED_TABLE_STORAGE_SCHEMA ?? LOCAL_DEFAULTS.storageSchema,
    admins,
  };
}
