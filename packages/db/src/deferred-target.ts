import type { PgConnection, ResolvedConnection } from "@lakebase-orders/lakebase-auth";
import pg from "pg";
import { refusedTokenClient } from "./pool.ts";

/** What a connect answers while the database's address is not known yet. */
export class TargetUnknownError extends Error {
  override readonly name = "TargetUnknownError";
  // Class 08 (cannot establish a connection): callers treat it as "unavailable, retry later", and a write
  // that met it is known not to have happened.
  readonly code = "08001";
}

type ConnectCallback = (err: Error | undefined, client: pg.PoolClient | undefined, done: () => void) => void;

/**
 * A pool whose address is resolved on first use rather than at start-up. Where the address comes from
 * Databricks (`getDatabaseInstance` of LAKEBASE_INSTANCE_NAME), a missing or unreachable instance at start-up
 * must not keep the server from listening: the admin console that can create or start it lives there. Each
 * connect first tries to resolve (single flight, at most once per `minIntervalMs`); once that succeeds the
 * pool's options get the address, user, TLS and token provider, and the pool is an ordinary one. It is a
 * `pg.Pool` (Prisma's adapter checks that), and `query` goes through `connect` like any pool's.
 */
export function createDeferredPool(
  config: pg.PoolConfig,
  resolve: () => Promise<ResolvedConnection>,
  first: unknown,
  options: { minIntervalMs?: number; onResolved: (c: ResolvedConnection, pool: pg.Pool) => void },
): pg.Pool {
  const minIntervalMs = options.minIntervalMs ?? 1000;
  let connection: ResolvedConnection | undefined;
  let lastError: unknown = first;
  let lastAttempt = Date.now();
  let inflight: Promise<void> | undefined;

  class DeferredPool extends pg.Pool {
    #resolve(): Promise<void> {
      if (connection) return Promise.resolve();
      if (!inflight && Date.now() - lastAttempt < minIntervalMs) return Promise.resolve();
      inflight ??= (async () => {
        lastAttempt = Date.now();
        try {
          const resolved = await resolve();
          // Before any client is built from them: every connection from now on goes to the real address.
          Object.assign(this.options, targetOf(resolved));
          // pg-pool builds clients from its `Client`: one that tells the provider of a refused token.
          if (typeof resolved.password !== "string") {
            (this as unknown as { Client: typeof pg.Client }).Client = refusedTokenClient(resolved.password);
          }
          connection = resolved;
          options.onResolved(resolved, this);
        } catch (error) {
          lastError = error;
        }
      })().finally(() => {
        inflight = undefined;
      });
      return inflight;
    }

    #unknown(): TargetUnknownError {
      const cause = lastError instanceof Error ? lastError.message : String(lastError);
      return new TargetUnknownError(`the database's address is not known yet: ${cause}`, {
        cause: lastError,
      });
    }

    override connect(): Promise<pg.PoolClient>;
    override connect(callback: ConnectCallback): void;
    override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | undefined {
      if (connection) {
        if (!callback) return super.connect();
        super.connect(callback);
        return undefined;
      }
      const ready = this.#resolve().then(() => {
        if (!connection) throw this.#unknown();
      });
      if (!callback) return ready.then(() => super.connect());
      ready.then(
        () => super.connect(callback),
        (error: Error) => callback(error, undefined, () => undefined),
      );
      return undefined;
    }
  }
  // A password property must exist for pg-pool to keep it (non-enumerable) and let it be replaced later.
  return new DeferredPool({ ...config, password: "" });
}

/** The fields of a pg client (and of a pool's options) that say where and as whom to connect. */
export function targetOf(c: PgConnection): Pick<
  pg.ClientConfig,
  "host" | "port" | "database" | "user" | "ssl"
> & {
  password: string | (() => Promise<string>);
} {
  const secret = c.password;
  return {
    host: c.host,
    port: c.port,
    database: c.database,
    user: c.user,
    ssl: c.ssl,
    password: typeof secret === "string" ? secret : () => secret.getToken(),
  };
}
