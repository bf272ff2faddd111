// The two HTTP servers under test, each in its own process so the load generator does not share their
// event loop: the API as production runs it (bundled like dist/app/server.mjs, `node server.mjs`, JSON
// request logs written to stdout, here /dev/null) and the bare node:http floor.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { freePort } from "@lakebase-orders/pg-local";
import { build } from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../..");
const outDir = path.join(here, "../dist/api");
const bundle = path.join(outDir, "server.mjs");
// As packages/deploy/src/build-app.ts: these stay packages (Prisma loads its WebAssembly by package path).
// Its other runtime packages (swagger-ui-dist, @grpc/grpc-js) are not the bench's dependencies: inlined here,
// in chunks loaded only when used, as there.
const EXTERNAL = ["@prisma/client", "@prisma/adapter-pg", "pg", "@databricks/sdk-experimental"];

export interface Server {
  url: string;
  /** The server's process (a cluster's primary). */
  pid: number;
  stop(): Promise<void>;
}

/**
 * Bundles the deployed app's entry point the way the deploy build does: it reads no .env file (a developer's
 * would otherwise configure the server under test), the SPA is absent and the migrations are named below.
 */
export async function buildApi(): Promise<void> {
  await build({
    entryPoints: { server: path.join(repoRoot, "packages/deploy/src/app-entry.ts") },
    outdir: outDir,
    outExtension: { ".js": ".mjs" },
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    external: EXTERNAL.flatMap((name) => [name, `${name}/*`]),
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: "warning",
  });
}

/**
 * `node server.mjs` on a free port; resolves once /api/ready answers. With `profileDir`, V8 writes a CPU
 * profile of each process there when it exits (open it in Chrome DevTools or speedscope).
 */
export async function startApi(
  pgUrl: string,
  env: Record<string, string> = {},
  profileDir?: string,
): Promise<Server> {
  const port = await freePort();
  const nodeArgs = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, [...nodeArgs, bundle], {
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      PATH: process.env.PATH ?? "",
      NODE_ENV: "production",
      LAKEBASE_PG_URL: pgUrl,
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
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode} before it was ready`);
    const ok = await fetch(`${url}/api/ready`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) {
      // Its answer says why (the local identity is an admin, so the reason is in full).
      const why = await fetch(`${url}/api/ready`)
        .then((r) => r.text())
        .catch((error: Error) => error.message);
      await stopChild(child);
      throw new Error(`the API did not become ready within 180 s: ${why}`);
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
