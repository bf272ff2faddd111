import { z } from "zod";

/** Pool settings; every one has a default that suits Lakebase, so `{}` is a valid config. */
export const dbPoolConfigSchema = z.object({
  /** Connections per pool (Lakebase allows 1000 per instance, shared by every app replica). */
  max: z.number().int().min(1).max(1000).default(10),
  /**
   * Recycle connections after this long. Lakebase checks the token only at login, so this is not needed for
   * correctness of open connections; it bounds how long a connection outlives its token and spreads re-logins
   * out. Default: 45 min, or half the token lifetime when that is shorter (test TTLs of seconds).
   */
  maxLifetimeSeconds: z.number().int().min(1).optional(),
  /** A connect that hangs (no server, TLS stall, credential API stall) fails instead of waiting forever. */
  connectionTimeoutMillis: z.number().int().min(1).default(10_000),
  /** Server-side limit per statement (sent as the `statement_timeout` startup parameter). */
  statementTimeoutMillis: z.number().int().min(0).default(30_000),
  /**
   * Server-side limit on waiting for a lock, per statement (the `lock_timeout` startup parameter; 0: none).
   * A refresh of the synced table or DDL holds an ACCESS EXCLUSIVE lock for as long as it runs; a read queued
   * behind it would hold its connection that long (the pool drains), and a long statement of ours queued
   * first would make every reader after it wait too. With a short limit a read fails with 55P03 within a
   * second (the caller gets 503 with Retry-After) and long work retries later (see budget.ts).
   */
  lockTimeoutMillis: z.number().int().min(0).default(1_000),
  /** Client-side limit per query, a little above the server's so the server's clearer error usually wins. */
  queryTimeoutMillis: z.number().int().min(0).optional(),
  idleTimeoutMillis: z.number().int().min(0).default(30_000),
  keepAlive: z.boolean().default(true),
  keepAliveInitialDelayMillis: z.number().int().min(0).default(10_000),
  applicationName: z.string().min(1).default("lakebase-orders"),
  /** After a replica connection failure, reads go to the primary for this long before the replica is retried. */
  replicaRetryAfterMillis: z.number().int().min(0).default(5_000),
});
export type DbPoolConfigInput = z.input<typeof dbPoolConfigSchema>;
export type DbPoolConfig = z.output<typeof dbPoolConfigSchema>;

export const DEFAULT_MAX_LIFETIME_SECONDS = 45 * 60;

export function parseDbPoolConfig(input: DbPoolConfigInput = {}): DbPoolConfig {
  const result = dbPoolConfigSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ");
    throw new Error(`db pool config: ${problems}`);
  }
  return result.data;
}

/** The configured lifetime, else 45 min, never more than half a known token lifetime. */
export function effectiveMaxLifetimeSeconds(
  config: DbPoolConfig,
  tokenLifetimeSeconds: number | undefined,
): number {
  const ceiling = tokenLifetimeSeconds
    ? Math.max(1, Math.floor(tokenLifetimeSeconds / 2))
    : Number.POSITIVE_INFINITY;
  return Math.min(config.maxLifetimeSeconds ?? DEFAULT_MAX_LIFETIME_SECONDS, ceiling);
}
