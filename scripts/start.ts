// `pnpm start`: production mode. Runs the built app folder (dist/app, from `pnpm build`) as Databricks
// Apps would: staged in a folder of its own (.data/app), its pinned runtime packages installed with npm,
// then one Node process serving the API and the SPA. dist/app itself stays free of node_modules, since it
// is what the bundle uploads. With no database configured it starts the local Lakebase first, so the
// command works on a fresh clone too.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readEnvFiles, withEnvFiles } from "@lakebase-orders/config";
import { appEnvFor, externallyConfigured, startLocalLakebase } from "./lib/local-lakebase.ts";
import { isStopping, run, stopAll, stopOnSignals, superviseExits } from "./lib/processes.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const builtDir = path.join(root, "dist/app");
const appDir = path.join(root, ".data/app");
const ASYNC_CONTEXT_FRAME = "--experimental-async-context-frame";

/** Copies the build over the staged folder and reinstalls its packages only when the lockfile changed. */
function stage(): void {
  const lock = fs.readFileSync(path.join(builtDir, "package-lock.json"));
  const hash = createHash("sha256").update(lock).digest("hex");
  const stamp = path.join(appDir, "node_modules/.lock-hash");
  const installed = fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === hash;
  for (const entry of fs.existsSync(appDir) ? fs.readdirSync(appDir) : []) {
    if (entry !== "node_modules") fs.rmSync(path.join(appDir, entry), { recursive: true, force: true });
  }
  fs.cpSync(builtDir, appDir, { recursive: true });
  if (!installed) {
    process.stderr.write("start: installing the app's runtime packages (npm ci)\n");
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
    execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: appDir, env, stdio: "inherit" });
    fs.writeFileSync(stamp, hash);
  }
}

async function main(): Promise<void> {
  // The built server does not read .env files (see app-entry.ts): it gets their values from here.
  const files = readEnvFiles(root);
  Object.assign(process.env, withEnvFiles(process.env, files));
  if (files.files.length > 0) {
    process.stderr.write(`start: read ${files.files.map((f) => path.relative(root, f)).join(", ")}\n`);
  }
  if (!fs.existsSync(path.join(builtDir, "server.mjs"))) {
    throw new Error("dist/app is missing: run `pnpm build` first");
  }
  stage();
  let backendEnv: NodeJS.ProcessEnv = {};
  if (!externallyConfigured(process.env)) {
    const { info } = await startLocalLakebase(root);
    backendEnv = appEnvFor(info);
  }
  const port = process.env.DATABRICKS_APP_PORT ?? process.env.PORT ?? "8000";
  // The cheaper AsyncLocalStorage (AsyncContextFrame) where this Node has the flag; cluster workers get it
  // from their primary either way (apps/api/src/cluster/context-frame.ts), this covers one process alone.
  const frame = process.allowedNodeEnvironmentFlags.has(ASYNC_CONTEXT_FRAME) ? [ASYNC_CONTEXT_FRAME] : [];
  run("app", process.execPath, [...frame, "server.mjs"], {
    cwd: appDir,
    env: { ...process.env, ...backendEnv, DATABRICKS_APP_PORT: port, NODE_ENV: "production" },
  });
  superviseExits();
  process.stderr.write(`start: http://localhost:${port}/ (Ctrl-C stops)\n`);
}

stopOnSignals();
main().catch(async (error: unknown) => {
  if (isStopping()) return;
  process.stderr.write(`start: ${error instanceof Error ? error.message : String(error)}\n`);
  await stopAll();
  process.exit(1);
});
