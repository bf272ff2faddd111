import { z } from "zod";

/**
 * libpq sslmode values, plus node-postgres' own `no-verify` (= libpq `require`). pg cannot negotiate, so
 * allow/prefer mean "no TLS" here.
 */
export const SSL_MODES = [
  "disable",
  "allow",
  "prefer",
  "require",
  "no-verify",
  "verify-ca",
  "verify-full",
] as const;
export type SslMode = (typeof SSL_MODES)[number];

// Unset and empty are the same thing in an environment.
const optionalString = z.preprocess((v) => (v === "" ? undefined : v), z.string().trim().min(1).optional());
const optionalInt = (min: number, max: number) =>
  z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().min(min).max(max).optional());
const postgresUrl = z.preprocess(
  (v) => (v === "" ? undefined : v),
  z
    .string()
    .refine(
      (s) => /^postgres(ql)?:\/\//.test(s) && URL.canParse(s),
      "must be a postgresql://user@host:port/db URL",
    )
    .optional(),
);

/**
 * Every variable connection resolution reads. Documented here because this is where they are checked:
 * - LAKEBASE_PG_URL / LAKEBASE_PG_READ_URL: explicit primary / read-replica URL (password optional).
 * - PGHOST, PGPORT, PGDATABASE, PGUSER, PGSSLMODE (, PGPASSWORD): what a Databricks Apps `database` resource injects.
 * - LAKEBASE_INSTANCE_NAME: provisioned instance (token scope, and host lookup through the SDK).
 * - LAKEBASE_ENDPOINT: autoscaling endpoint (`projects/p/branches/b/endpoints/e`): selects the autoscaling flavour.
 * - LAKEBASE_TOKEN_SOURCE: provisioned | autoscaling | workspace (the SDK's own OAuth token).
 * - LAKEBASE_DATABASE_NAME: database when none is given otherwise (default databricks_postgres).
 * - LAKEBASE_TOKEN_REFRESH_BEFORE_SECONDS: refresh lead (default 300, capped at half the token lifetime).
 * - DATABRICKS_HOST, DATABRICKS_TOKEN | DATABRICKS_CLIENT_ID + DATABRICKS_CLIENT_SECRET: the SDK's own.
 */
export const connectionEnvSchema = z.object({
  LAKEBASE_PG_URL: postgresUrl,
  LAKEBASE_PG_READ_URL: postgresUrl,
  PGHOST: optionalString,
  PGPORT: optionalInt(1, 65535),
  PGDATABASE: optionalString,
  PGUSER: optionalString,
  PGPASSWORD: optionalString,
  PGSSLMODE: z.preprocess((v) => (v === "" ? undefined : v), z.enum(SSL_MODES).optional()),
  LAKEBASE_INSTANCE_NAME: optionalString,
  LAKEBASE_ENDPOINT: optionalString,
  LAKEBASE_TOKEN_SOURCE: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.enum(["provisioned", "autoscaling", "workspace"]).optional(),
  ),
  LAKEBASE_DATABASE_NAME: optionalString,
  LAKEBASE_TOKEN_REFRESH_BEFORE_SECONDS: optionalInt(0, 3600),
  DATABRICKS_HOST: optionalString,
  DATABRICKS_CLIENT_ID: optionalString,
});
export type ConnectionEnv = z.infer<typeof connectionEnvSchema>;

export class ConnectionConfigError extends Error {
  constructor(message: string) {
    super(`Lakebase connection config: ${message}`);
    this.name = "ConnectionConfigError";
  }
}

export function parseConnectionEnv(env: Record<string, string | undefined>): ConnectionEnv {
  const result = connectionEnvSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ");
    throw new ConnectionConfigError(`fix ${problems}`);
  }
  return result.data;
}

export function sslFor(mode: SslMode): false | { rejectUnauthorized: boolean } {
  switch (mode) {
    case "disable":
    case "allow":
    case "prefer":
      return false;
    // libpq's `require` encrypts without verifying the certificate; the verify modes check it.
    case "require":
    case "no-verify":
      return { rejectUnauthorized: false };
    case "verify-ca":
    case "verify-full":
      return { rejectUnauthorized: true };
  }
}
