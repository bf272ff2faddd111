// `pnpm dev`: the local Lakebase (unless a real one is configured), the API in watch mode and the Vite
// dev server, with one Ctrl-C stopping all of them.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readEnvFiles, withEnvFiles } from "@lakebase-orders/config";
import { appEnvFor, externallyConfigured, startLocalLakebase } from "./lib/local-lakebase.ts";
import { isStopping, run, stopAll, stopOnSignals, superviseExits } from "./lib/processes.ts";
import { commandOf } from "./lib/tools.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
useEnvFiles();
const apiPort = process.env.API_PORT ?? "8000";
const webPort = process.env.WEB_PORT ?? "5173";
const started = Date.now();

async function main(): Promise<void> {
  let backendEnv: NodeJS.ProcessEnv = {};
  if (externallyConfigured(process.env)) {
    process.stderr.write("dev: using the configured Lakebase / PostgreSQL (no local Lakebase)\n");
  } else {
    const { info } = await startLocalLakebase(root);
    backendEnv = appEnvFor(info);
    process.stderr.write(`dev: local Lakebase ready at ${info.restUrl} (instance ${info.instanceName})\n`);
  }

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...backendEnv,
    PORT: apiPort,
    API_PORT: apiPort,
    WEB_PORT: webPort,
  };
  // It wins over PORT; the API re-reads .env, so set it rather than delete it.
  env.DATABRICKS_APP_PORT = apiPort;
  // Each tool comes from the package that declares it; the API needs none (Node strips the types).
  const apiDir = path.join(root, "apps/api");
  const webDir = path.join(root, "apps/web");
  const vite = commandOf(webDir, "vite");
  run("api", process.execPath, ["--watch", "src/main.ts"], { cwd: apiDir, env });
  run("web", process.execPath, [vite, "--port", webPort, "--strictPort"], { cwd: webDir, env });
  superviseExits();
  await waitFor(`http://127.0.0.1:${apiPort}/api/ready`, 120_000);
  process.stdout.write(
    [
      "",
      `  Lakebase Orders is running (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
      `  web  http://localhost:${webPort}/`,
      `  api  http://localhost:${apiPort}/api/health`,
      "  Ctrl-C stops everything.",
      "",
    ].join("\n"),
  );
}

/** `.env` and `.env.local` under the real environment, for this script and everything it starts. */
function useEnvFiles(): void {
  const files = readEnvFiles(root);
  Object.assign(process.env, withEnvFiles(process.env, files));
  if (files.files.length > 0) {
    process.stderr.write(`dev: read ${files.files.map((f) => path.relative(root, f)).join(", ")}\n`);
  }
}

async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  process.stderr.write(`dev: ${url} did not answer within ${timeoutMs / 1000} s (see the logs above)\n`);
}

stopOnSignals();
main().catch(async (error: unknown) => {
  if (isStopping()) return;
  process.stderr.write(`dev: ${error instanceof Error ? error.message : String(error)}\n`);
  await stopAll();
  process.exit(1);
});
