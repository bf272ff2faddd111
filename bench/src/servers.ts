// The two HTTP servers under test, each in its own process so the load generator does not share their
// event loop: the API as production runs it (bundled by the deploy build's own builder into server.mjs,
// `node server.mjs`: its `run`, JSON request logs written to stdout, here /dev/null) and the bare node:http
// floor.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { bundleApi, RUNTIME_PACKAGES } from "@lakebase-orders/deploy";
import { freePort } from "@lakebase-orders/pg-local";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../..");
const outDir = path.join(here, "../dist/api");
const bundle = path.join(outDir, "server.mjs");
// What the deploy build keeps as packages, less those that are not the bench's dependencies
// (swagger-ui-dist, @grpc/grpc-js): inlined here, in chunks loaded only when used.
const NOT_BENCH_DEPENDENCIES = new Set(["swagger-ui-dist", "@grpc/grpc-js"]);
const EXTERNAL = RUNTIME_PACKAGES.filter((name) => !NOT_BENCH_DEPENDENCIES.has(name));

export interface Server {
  url: string;
  /** The server's process (a cluster's primary). */
  pid: number;
  stop(): Promise<void>;
}

let built: Promise<void> | undefined;

/**
 * Bundles the deployed app's entry point with the deploy build's builder (once per bench run): it reads no
 * .env file (a developer's would otherwise configure the server under test), the SPA is absent and the
 * migrations are named below.
 */
export function buildApi(): Promise<void> {
  built ??= bundleApi({ outDir, external: EXTERNAL });
  return built;
}

export interface StartApiOptions {
  /** V8 writes a CPU profile of each process there when it exits (Chrome DevTools or speedscope). */
  profileDir?: string | undefined;
  /** Resolve once /api/ready answers 200 (default), or once the server listens (/api/health). */
  until?: "ready" | "listening";
  /** Where the JSON log lines go: dropped (default; still built and written, as in production) or stderr. */
  logs?: "drop" | "stderr";
  /**
   * Node flags before the bundle. Unless one of them decides it, the API runs with
   * --experimental-async-context-frame where this Node has it, as `pnpm start` starts it and as a
   * cluster's workers run (apps/api/src/cluster/context-frame.ts).
   */
  nodeArgs?: readonly string[];
}

const ASYNC_CONTEXT_FRAME = "--experimental-async-context-frame";

/** The flags the API process starts with: `given`, plus the AsyncContextFrame flag as production adds it. */
export function apiNodeArgs(given: readonly string[] = []): string[] {
  const decided = given.some((arg) => arg.includes("async-context-frame"));
  return decided || !process.allowedNodeEnvironmentFlags.has(ASYNC_CONTEXT_FRAME)
    ? [...given]
    : [...given, ASYNC_CONTEXT_FRAME];
}

/**
 * `node server.mjs` on a free port with `env` over the bench's defaults (production mode, no rate limits,
 * the repository's migrations); the bundle is built first if this run has not built it yet.
 */
export async function startApi(env: Record<string, string>, options: StartApiOptions = {}): Promise<Server> {
  await buildApi();
  const port = await freePort();
  const profile = options.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${options.profileDir}`] : [];
  const nodeArgs = apiNodeArgs([...profile, ...(options.nodeArgs ?? [])]);
  const child = spawn(process.execPath, [...nodeArgs, bundle], {
    stdio: ["ignore", options.logs === "stderr" ? process.stderr : "ignore", "inherit"],
    env: {
      PATH: process.env.PATH ?? "",
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "info",
      // One identity (the local one, over loopback) drives all the load: its per-identity budgets of writes
      // and uncached counts (issue 14) would answer 429 within a second. The bench measures capacity.
      RATE_LIMIT_READS_PER_MINUTE: "0",
      RATE_LIMIT_WRITES_PER_MINUTE: "0",
      MIGRATIONS_DIR: path.join(repoRoot, "packages/db/prisma/migrations"),
      ...env,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const probe = options.until === "listening" ? "/api/health" : "/api/ready";
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode} before it was ready`);
    const ok = await fetch(`${url}${probe}`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) {
      // Its answer says why (the local identity is an admin, so the reason is in full).
      const why = await fetch(`${url}${probe}`)
        .then((r) => r.text())
        .catch((error: Error) => error.message);
      await stopChild(child);
      throw new Error(`the API did not answer ${probe} within 180 s: ${why}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, pid: child.pid!, stop: () => stopChild(child) };
}

/** The bare node:http + pg server (with `profileDir`, profiled like the API). */
export async function startFloor(
  pgUrl: string,
  workers: number,
  pool: number,
  profileDir?: string,
): Promise<Server> {
  const nodeArgs = profileDir
    ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, "--cpu-prof-name=floor.cpuprofile"]
    : [];
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      path.join(here, "../floor-server.ts"),
      pgUrl,
      "--pool",
      String(pool),
      "--workers",
      String(workers),
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const first = await readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next();
  if (first.done) throw new Error("the floor server exited before listening (its error is above)");
  const { url } = JSON.parse(String(first.value)) as { url: string };
  return { url, pid: child.pid!, stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  await exited;
  clearTimeout(timer);
}
