import { z } from "zod";
import { DEFAULT_SYNCED_TABLE } from "./orders/synced-table.ts";

const port = z.coerce.number().int().min(0).max(65535);

/** Environment the server reads. Validated once at start-up: a bad value fails fast with its name. */
export const serverEnv = z.object({
  DATABRICKS_APP_PORT: port.optional(),
  PORT: port.optional(),
  HOST: z.string().min(1).default("0.0.0.0"),
  LOCAL_IDENTITY: z.string().min(1).optional(),
  /** Set by Databricks Apps: identities then come from its proxy only. */
  DATABRICKS_APP_NAME: z.string().min(1).optional(),
  LAKEBASE_CATALOG_NAME: z.string().min(1).optional(),
  /** `catalog.schema.table`; default `<LAKEBASE_CATALOG_NAME>.public.orders_synced`. */
  LAKEBASE_SYNCED_TABLE: z.string().min(1).optional(),
  STATIC_DIR: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  COUNT_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).max(3600).default(10),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
});
export type ServerEnv = z.infer<typeof serverEnv>;

export function parseServerEnv(env: Record<string, string | undefined>): ServerEnv {
  // Empty strings (VAR= in a shell) mean "unset", as most tools treat them.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = serverEnv.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid server environment: ${problems}`);
  }
  return parsed.data;
}

export function listenPort(env: ServerEnv): number {
  return env.DATABRICKS_APP_PORT ?? env.PORT ?? 8000;
}

export function syncedTableName(env: ServerEnv): string {
  if (env.LAKEBASE_SYNCED_TABLE) return env.LAKEBASE_SYNCED_TABLE;
  return env.LAKEBASE_CATALOG_NAME
    ? `${env.LAKEBASE_CATALOG_NAME}.public.orders_synced`
    : DEFAULT_SYNCED_TABLE;
}

/**
 * Acting identity for requests without the Apps proxy's headers: the configured one, else the local
 * default outside Databricks Apps; inside Apps none (such requests are anonymous).
 */
export function localIdentity(env: ServerEnv): string | null {
  if (env.LOCAL_IDENTITY) return env.LOCAL_IDENTITY;
  return env.DATABRICKS_APP_NAME ? null : "local-admin@example.com";
}
