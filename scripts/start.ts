// `pnpm start`: production mode. Runs the built app folder (dist/app, from `pnpm build`) as Databricks
// Apps would: one Node process serving the API and the SPA. With no database configured it starts the
// local Lakebase first, so the command works on a fresh clone too.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { appEnvFor, externallyConfigured, startLocalLakebase } from "./lib/local-lakebase.ts";
import { run, stopAll, superviseUntilSignal } from "./lib/processes.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const appDir = path.join(root, "dist/app");

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(appDir, "server.mjs"))) {
    throw new Error("dist/app is missing: run `pnpm build` first");
  }
  let backendEnv: NodeJS.ProcessEnv = {};
  if (!externallyConfigured(process.env)) {
    const { info } = await startLocalLakebase(root);
    backendEnv = appEnvFor(info);
  }
  const port = process.env.DATABRICKS_APP_PORT ?? process.env.PORT ?? "8000";
  run("app", process.execPath, ["server.mjs"], {
    cwd: appDir,
    env: { ...process.env, ...backendEnv, DATABRICKS_APP_PORT: port, NODE_ENV: "production" },
  });
  superviseUntilSignal();
  process.stderr.write(`start: http://localhost:${port}/ (Ctrl-C stops)\n`);
}

main().catch(async (error: unknown) => {
  process.stderr.write(`start: ${error instanceof Error ? error.message : String(error)}\n`);
  await stopAll();
  process.exit(1);
});
