// `pnpm branch-app [--ttl 2h] [--from production] [--at <time>] [--target local|<bundle target>] [--name id]
// [--project id] [--port n]`: a database branch per change (packages/deploy/src/branch/branch-app.ts).
// Against the configured workspace (DATABRICKS_HOST and its credentials, the project from --project,
// LAKEBASE_PROJECT_ID or LAKEBASE_ENDPOINT); with nothing configured, against the local Lakebase, started
// here and stopped at the end. Ctrl-C stops the app and deletes the branch; a second Ctrl-C leaves at once
// (the branch's TTL deletes it).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { WorkspaceClient } from "@databricks/sdk-experimental";
import { readEnvFiles, withEnvFiles } from "@lakebase-orders/config";
import { parseBranchAppArgs, runBranchApp } from "@lakebase-orders/deploy/branch";
import { appEnvFor, externallyConfigured, startLocalLakebase } from "./lib/local-lakebase.ts";
import { stopAll } from "./lib/processes.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

async function main(): Promise<number> {
  const args = parseBranchAppArgs(process.argv.slice(2));
  const stop = new AbortController();
  let signals = 0;
  const onSignal = () => {
    signals += 1;
    if (signals === 1) {
      process.stderr.write(
        "\nbranch-app: stopping the app and deleting the branch (Ctrl-C again to leave now)\n",
      );
      stop.abort();
    } else {
      void stopAll(1000).then(() => process.exit(130));
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const env = withEnvFiles(process.env, readEnvFiles(root));
  let appEnv: NodeJS.ProcessEnv = env;
  let workspace: WorkspaceClient;
  if (externallyConfigured(env)) {
    workspace = new WorkspaceClient({});
  } else {
    const { info } = await startLocalLakebase(root);
    if (!info.projectName)
      throw new Error("the local Lakebase runs the provisioned flavour: branches need autoscaling");
    appEnv = { ...env, ...appEnvFor(info), LAKEBASE_PROJECT_ID: info.projectName.split("/")[1] };
    workspace = new WorkspaceClient({ host: info.restUrl, token: info.workspaceToken, authType: "pat" });
  }
  try {
    return await runBranchApp(args, {
      workspace,
      env: appEnv,
      root,
      say: (line) => process.stderr.write(`${line}\n`),
      emit: (event) =>
        process.stdout.write(`${JSON.stringify({ ...event, at: new Date().toISOString() })}\n`),
      signal: stop.signal,
    });
  } finally {
    await stopAll();
  }
}

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    process.stderr.write(`branch-app: ${error instanceof Error ? error.message : String(error)}\n`);
    await stopAll();
    process.exit(1);
  },
);
