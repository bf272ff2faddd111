import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./generated/prisma/client.ts";

// Minimal static-password version; the token-injected pool (issue "Token injection") extends this file
// and keeps `connectionString` working for plain PostgreSQL.
export interface CreateDbOptions {
  /** postgresql://user:pass@host:port/db (e.g. LAKEBASE_PG_URL). */
  connectionString: string;
  /** Pool size. */
  max?: number;
}

export interface Db {
  readonly prisma: PrismaClient;
  readonly pool: pg.Pool;
  /** Runs `select 1` through the pool, failing after the deadline. */
  ping(timeoutMs?: number): Promise<void>;
  disconnect(): Promise<void>;
}

export function createDb(options: CreateDbOptions): Db {
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.max ?? 10 });
  pool.on("error", () => undefined);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    pool,
    ping: async (timeoutMs = 2000) => {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`database did not answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([pool.query("select 1"), deadline]);
      } finally {
        clearTimeout(timer);
      }
    },
    disconnect: async () => {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}
