import path from "node:path";
import { isReadyLine, type ReadyLine } from "../../packages/lakebase-local/src/ready-line.ts";
import { type Managed, run } from "./processes.ts";

/** The CLI's ready line, with the seeded default instance that `pnpm dev` always asks for. */
export type LocalLakebaseInfo = ReadyLine & { pgPort: number; instanceName: string; databaseName: string };

/**
 * Starts the local Lakebase CLI (embedded PostgreSQL + Databricks REST emulator) with its data kept in
 * .data/ between runs, and waits for the one JSON line it prints when ready.
 */
export async function startLocalLakebase(
  root: string,
): Promise<{ process: Managed; info: LocalLakebaseInfo }> {
  let resolveInfo: (info: LocalLakebaseInfo) => void = () => undefined;
  const ready = new Promise<LocalLakebaseInfo>((resolve) => {
    resolveInfo = resolve;
  });
  const proc = run(
    "lakebase-local",
    process.execPath,
    [
      "--import",
      "tsx",
      "packages/lakebase-local/src/cli.ts",
      "--data-dir",
      path.join(root, ".data/lakebase-local"),
    ],
    {
      cwd: root,
      onLine: (line) => {
        if (!isReadyLine(line)) return;
        const ready = JSON.parse(line) as ReadyLine;
        if (ready.pgPort === null || ready.instanceName === null || ready.databaseName === null) return;
        resolveInfo({
          ...ready,
          pgPort: ready.pgPort,
          instanceName: ready.instanceName,
          databaseName: ready.databaseName,
        });
      },
    },
  );
  const info = await Promise.race([
    ready,
    proc.exited.then((code) => {
      throw new Error(`the local Lakebase exited before it was ready (${code})`);
    }),
  ]);
  return { process: proc, info };
}

/** The environment under which the app reaches the local Lakebase exactly as it would a real workspace. */
export function appEnvFor(info: LocalLakebaseInfo): NodeJS.ProcessEnv {
  return {
    DATABRICKS_HOST: info.restUrl,
    DATABRICKS_TOKEN: info.workspaceToken,
    LAKEBASE_INSTANCE_NAME: info.instanceName,
    LAKEBASE_DATABASE_NAME: info.databaseName,
    // Real Lakebase listens on 5432; the local front door cannot, so the port comes from PGPORT as on Apps.
    PGPORT: String(info.pgPort),
    // The front door's certificate comes from the local Lakebase's own CA: trust it, so TLS is verified.
    PGSSLROOTCERT: info.caFile,
  };
}

/** True when the user pointed the app at a real workspace or a plain PostgreSQL. */
export function externallyConfigured(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.LAKEBASE_PG_URL || env.DATABRICKS_HOST || env.PGHOST || env.DATABRICKS_CONFIG_PROFILE);
}
