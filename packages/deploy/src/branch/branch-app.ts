// `pnpm branch-app`: a database branch per change. Creates a short-lived branch of production (a TTL, so the
// service deletes it even if this process cannot), starts the app against the branch's own endpoint (or,
// for a bundle target, prints how to deploy one), says where it runs, and deletes the branch when the app
// exits or on Ctrl-C. Everything goes through the `postgres` API (PostgresApi), the same calls a real
// workspace answers; the local Lakebase answers them with a real copy of production per branch.
import { type ChildProcess, spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import type { WorkspaceClient } from "@databricks/sdk-experimental";
import { type Branch, type Endpoint, PostgresApi, parseEndpointName } from "@lakebase-orders/lakebase-api";
import type { BranchAppArgs } from "./args.ts";

export interface BranchAppDeps {
  workspace: WorkspaceClient;
  /** The environment the app inherits (the entry point's), before the branch's binding is laid over it. */
  env: NodeJS.ProcessEnv;
  /** The repository (the app runs from apps/api). */
  root: string;
  /** Lines for the person at the terminal. */
  say: (line: string) => void;
  /** One JSON line per milestone (created, ready, deleted), for scripts and tests. */
  emit: (event: Record<string, unknown>) => void;
  /** Aborted on Ctrl-C / SIGTERM: stop the app, delete the branch. */
  signal: AbortSignal;
}

/** The app gets this long to stop on SIGTERM before it is killed (Databricks Apps gives 15 s). */
const STOP_GRACE_MS = 15_000;
const READY_TIMEOUT_MS = 120_000;

export async function runBranchApp(args: BranchAppArgs, deps: BranchAppDeps): Promise<number> {
  const project = projectOf(args, deps.env);
  const api = new PostgresApi(deps.workspace);
  const branchName = `projects/${project}/branches/${args.name}`;
  // Never production: the new branch must not be (or replace) the project's default branch, which this
  // command would delete when it ends. Asked before anything is created.
  const defaultBranch = (await api.getProject(`projects/${project}`))?.status?.default_branch;
  if (defaultBranch === branchName || args.name === "production") {
    throw new Error(
      `--name ${args.name} is the project's production (default) branch: branch-app makes a short-lived branch and deletes it afterwards; choose another --name`,
    );
  }
  let created = false;
  let app: ChildProcess | undefined;
  try {
    const started = performance.now();
    deps.say(
      `branch-app: creating ${branchName} from ${args.from}${args.at ? ` at ${args.at}` : " (head)"}, TTL ${args.ttlSeconds}s`,
    );
    const operation = await api.createBranch(`projects/${project}`, args.name, {
      source_branch: `projects/${project}/branches/${args.from}`,
      ...(args.at ? { source_branch_time: args.at } : {}),
      ttl: `${args.ttlSeconds}s`,
    });
    // From here the branch may exist even if the wait fails: the finally deletes it (allow_missing).
    created = true;
    const branch = await api.wait<Branch>(operation, { intervalMs: 250, signal: deps.signal });
    const createMs = Math.round(performance.now() - started);
    const endpoint = await primaryEndpoint(api, branchName, deps.signal);
    const host = endpoint.status?.hosts?.host;
    if (!host) throw new Error(`${endpoint.name} has no host yet`);
    // The local Lakebase says which port the endpoint's front door has; a real endpoint listens on 5432.
    const pgPort = (endpoint as Endpoint & { x_local_pg_port?: number }).x_local_pg_port ?? 5432;
    deps.emit({
      event: "created",
      branch: branchName,
      endpoint: endpoint.name,
      expireTime: branch.status?.expire_time,
      createMs,
    });
    deps.say(
      `branch-app: ${branchName} ready in ${createMs} ms (expires ${branch.status?.expire_time ?? "?"})`,
    );

    if (args.target !== "local") {
      printDeploy(args, project, endpoint.name, deps);
      await aborted(deps.signal);
      return 0;
    }

    const port = args.port || (await freePort());
    const env: NodeJS.ProcessEnv = {
      ...deps.env,
      // The branch's binding, as Databricks Apps would give it for a `postgres` resource on that branch.
      LAKEBASE_ENDPOINT: endpoint.name,
      PGHOST: host,
      PGPORT: String(pgPort),
      DATABRICKS_APP_PORT: String(port),
      PORT: String(port),
    };
    const appStarted = performance.now();
    app = spawn(process.execPath, ["src/main.ts"], {
      cwd: path.join(deps.root, "apps/api"),
      env,
      // The app's log lines go to stderr: stdout carries only this command's own events.
      stdio: ["ignore", 2, 2],
    });
    const exited = new Promise<number>((resolve) =>
      app!.once("exit", (code, sig) => resolve(code ?? (sig ? 1 : 0))),
    );
    const url = `http://127.0.0.1:${port}`;
    await waitReady(`${url}/api/ready`, exited, deps.signal);
    const readyMs = Math.round(performance.now() - appStarted);
    deps.emit({ event: "ready", branch: branchName, url, pid: app.pid, port, readyMs });
    deps.say(
      `branch-app: the app runs at ${url}/ on ${branchName} (ready in ${readyMs} ms); Ctrl-C deletes the branch`,
    );
    const code = await Promise.race([exited, aborted(deps.signal).then(() => 0)]);
    return code;
  } finally {
    if (app) await stopApp(app);
    if (created) {
      const started = performance.now();
      try {
        // Purge: a change's branch has nothing worth an undelete, and a soft-deleted one keeps its storage.
        const op = await api.deleteBranch(branchName, { purge: true, allowMissing: true });
        await api.wait(op, { intervalMs: 250, timeoutMs: 120_000 });
        const deleteMs = Math.round(performance.now() - started);
        deps.emit({ event: "deleted", branch: branchName, deleteMs });
        deps.say(`branch-app: deleted ${branchName} in ${deleteMs} ms`);
      } catch (error) {
        deps.say(
          `branch-app: could not delete ${branchName} (${error instanceof Error ? error.message : String(error)}); its TTL deletes it`,
        );
      }
    }
  }
}

function projectOf(args: BranchAppArgs, env: NodeJS.ProcessEnv): string {
  if (args.project) return args.project;
  if (env.LAKEBASE_PROJECT_ID) return env.LAKEBASE_PROJECT_ID;
  const endpoint = env.LAKEBASE_ENDPOINT ? parseEndpointName(env.LAKEBASE_ENDPOINT) : null;
  if (endpoint) return endpoint.projectId;
  throw new Error("which project? pass --project, or set LAKEBASE_PROJECT_ID or LAKEBASE_ENDPOINT");
}

/** A new branch comes with its read-write endpoint `primary`; it may answer a moment after the branch. */
async function primaryEndpoint(api: PostgresApi, branch: string, signal: AbortSignal): Promise<Endpoint> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    signal.throwIfAborted();
    const endpoints = await api.all((page) => api.listEndpoints(branch, page));
    const primary = endpoints.find((e) => e.status?.endpoint_type === "ENDPOINT_TYPE_READ_WRITE");
    if (primary?.status?.hosts?.host) return primary;
    if (Date.now() > deadline) throw new Error(`${branch} has no read-write endpoint after 60 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * A bundle target: the app of that (development) target moves onto the branch with `app_branch`, and back
 * to production before the branch goes. No workspace is reachable from here, so the commands are printed.
 */
function printDeploy(args: BranchAppArgs, project: string, endpoint: string, deps: BranchAppDeps): void {
  const onBranch = `databricks bundle deploy -t ${args.target} --var project_id=${project} --var app_branch=${args.name}`;
  const back = `databricks bundle deploy -t ${args.target} --var project_id=${project}`;
  deps.emit({ event: "deploy", target: args.target, command: onBranch, restore: back, endpoint });
  deps.say(
    [
      "branch-app: put the target's app on the branch (pnpm build first):",
      `  ${onBranch}`,
      `  databricks bundle run -t ${args.target} lakebase_orders`,
      "branch-app: before Ctrl-C (which deletes the branch), put it back on production:",
      `  ${back}`,
    ].join("\n"),
  );
}

async function waitReady(url: string, exited: Promise<number>, signal: AbortSignal): Promise<void> {
  let gone: number | undefined;
  void exited.then((code) => {
    gone = code;
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    signal.throwIfAborted();
    if (gone !== undefined) throw new Error(`the app exited (${gone}) before it was ready`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} not ready within ${READY_TIMEOUT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stopApp(app: ChildProcess): Promise<void> {
  if (app.exitCode !== null || app.signalCode !== null) return;
  const exited = new Promise((resolve) => app.once("exit", resolve));
  app.kill("SIGTERM");
  const timer = setTimeout(() => app.kill("SIGKILL"), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
