// `pnpm branch-app` end to end on the local Lakebase (Autoscaling flavour): the command as a person runs it
// (scripts/branch-app.ts, its own process, pointed at the local workspace through DATABRICKS_HOST), a real
// branch of production, the real app on it; then Ctrl-C, or a kill that leaves only the TTL to clean up.
import { type ChildProcess, spawn } from "node:child_process";
import net from "node:net";
import readline from "node:readline";
import { type LakebaseLocal, startLakebaseLocal } from "@lakebase-orders/lakebase-local";
import { sdkFor } from "@lakebase-orders/lakebase-local/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../bundle.ts";
import { parseBranchAppArgs } from "./args.ts";
import { runBranchApp } from "./branch-app.ts";

const PROJECT = "branch-orders";
let lakebase: LakebaseLocal;
const running = new Set<ChildProcess>();

beforeAll(async () => {
  lakebase = await startLakebaseLocal({
    flavor: "autoscaling",
    postgres: { adminUrl: process.env.PG_LOCAL_ADMIN_URL! },
    timings: { instanceStartMs: 0, instanceDeleteMs: 0, pipelineStepMs: 0 },
    sourceRows: 2000,
    seed: {
      instanceName: PROJECT,
      catalogName: "lakebase_orders",
      databaseName: "orders",
      syncedTable: "lakebase_orders.public.orders_synced",
    },
  });
}, 180_000);

afterAll(async () => {
  for (const child of running) child.kill("SIGKILL");
  await lakebase?.stop();
});

interface Command {
  child: ChildProcess;
  events: Record<string, unknown>[];
  output: string[];
  next(event: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

function branchApp(args: string[]): Command {
  const child = spawn(process.execPath, ["scripts/branch-app.ts", ...args], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABRICKS_HOST: lakebase.restUrl,
      DATABRICKS_TOKEN: lakebase.workspaceToken,
      LAKEBASE_PROJECT_ID: PROJECT,
      LAKEBASE_DATABASE_NAME: "orders",
      LAKEBASE_CATALOG_NAME: "lakebase_orders",
      LAKEBASE_SYNCED_TABLE: "lakebase_orders.public.orders_synced",
      PGSSLROOTCERT: lakebase.caFile,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  const events: Record<string, unknown>[] = [];
  const output: string[] = [];
  const waiters: (() => void)[] = [];
  readline.createInterface({ input: child.stdout! }).on("line", (line) => {
    output.push(line);
    if (line.startsWith("{")) events.push(JSON.parse(line) as Record<string, unknown>);
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr!.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      running.delete(child);
      for (const wake of waiters.splice(0)) wake();
      resolve(code);
    }),
  );
  const next = async (event: string, timeoutMs = 120_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = events.find((e) => e.event === event);
      if (found) return found;
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`no "${event}" event (exit ${child.exitCode}):\n${output.join("\n")}`);
      }
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 500);
      });
    }
  };
  return { child, events, output, next, exited };
}

/** Production's database, straight on its cluster (the test's own view, not through the app). */
async function onProduction<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const url = new URL(lakebase.adminUrl);
  url.pathname = `/${lakebase.physicalDatabase(PROJECT, "orders")}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function rest<T>(method: string, name: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${lakebase.restUrl}/api/2.0/${name}`, {
    method,
    headers: { Authorization: `Bearer ${lakebase.workspaceToken}`, "Content-Type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

/** A session on the branch's own endpoint, as the workspace identity with an endpoint credential. */
async function onBranch<T>(endpoint: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const me = await rest<{ userName: string }>("GET", "preview/scim/v2/Me");
  const credential = await rest<{ token: string }>("POST", "postgres/credentials", { endpoint });
  const described = await rest<{ x_local_pg_port: number }>("GET", `postgres/${endpoint}`);
  const client = new pg.Client({
    host: "127.0.0.1",
    port: described.body.x_local_pg_port,
    user: me.body.userName,
    password: credential.body.token,
    database: "orders",
    ssl: { ca: lakebase.caPem },
  });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const price = async (url: string, key: number) => {
  const input = encodeURIComponent(JSON.stringify({ orderKey: key }));
  const response = await fetch(`${url}/api/trpc/orders.byKey?input=${input}`);
  const body = (await response.json()) as { result: { data: { totalPrice: string } } };
  return body.result.data.totalPrice;
};

describe("pnpm branch-app", () => {
  it("refuses bad flags before it creates anything", () => {
    expect(() => parseBranchAppArgs(["--ttl", "soon"])).toThrow(/--ttl/);
    expect(() => parseBranchAppArgs(["--at", "yesterday-ish"])).toThrow(/--at/);
    expect(() => parseBranchAppArgs(["--name", "Not_An_Id"])).toThrow(/--name/);
    expect(() => parseBranchAppArgs(["--frm", "x"])).toThrow(/unknown flag --frm/);
    for (const target of ["prod", "production", "prod-eu"]) {
      expect(() => parseBranchAppArgs(["--target", target])).toThrow(
        /never runs against a production target/,
      );
    }
    const args = parseBranchAppArgs(
      ["--ttl=90m", "--at", "2026-12-07T00:00:00Z"],
      new Date("2026-12-07T01:02:03Z"),
    );
    expect(args).toMatchObject({
      ttlSeconds: 5400,
      from: "production",
      target: "local",
      name: "change-20261207-010203",
    });
    expect(args.at).toBe("2026-12-07T00:00:00.000Z");
  });

  it("refuses the project's production branch as the new branch, before it creates anything", async () => {
    // No change of any kind reaches the service (a create is a POST).
    const posts = () =>
      Object.entries(lakebase.counters().routes)
        .filter(([route]) => route.startsWith("POST "))
        .reduce((sum, [, n]) => sum + n, 0);
    const before = posts();
    const said: string[] = [];
    const refused = runBranchApp(parseBranchAppArgs(["--name", "production", "--project", PROJECT]), {
      workspace: sdkFor(lakebase),
      env: {},
      root: repoRoot,
      say: (line) => said.push(line),
      emit: (event) => said.push(JSON.stringify(event)),
      signal: new AbortController().signal,
    });
    await expect(refused).rejects.toThrow(/production \(default\) branch/);
    expect(said).toEqual([]);
    expect(posts()).toBe(before);
  });

  it("runs the app on a new branch that sees production as of its creation, keeps its writes, and is deleted on Ctrl-C", async () => {
    const before = await onProduction(async (c) => {
      const { rows } = await c.query<{ p: string }>(
        "SELECT o_totalprice::text AS p FROM public.orders_synced WHERE o_orderkey = 1",
      );
      return rows[0]!.p;
    });
    const started = performance.now();
    const command = branchApp(["--ttl", "1h", "--name", "change-ctrl-c"]);
    const created = await command.next("created");
    const branch = String(created.branch);
    expect(branch).toBe(`projects/${PROJECT}/branches/change-ctrl-c`);
    // Production moves on after the branch was made: the branch must not see it.
    await onProduction((c) =>
      c.query("UPDATE public.orders_synced SET o_totalprice = o_totalprice + 1000 WHERE o_orderkey = 1"),
    );
    const ready = await command.next("ready");
    const url = String(ready.url);
    const totalMs = Math.round(performance.now() - started);
    process.stderr.write(
      `branch-app: branch created ${String(created.createMs)} ms, app ready ${String(ready.readyMs)} ms, ${totalMs} ms from the command's start\n`,
    );
    expect(await price(url, 1)).toBe(Number(before).toFixed(2));

    // A write on the branch stays there.
    await onBranch(String(created.endpoint), (c) =>
      c.query(
        "CREATE TABLE public.change_note (note text); INSERT INTO public.change_note VALUES ('on the branch')",
      ),
    );
    const onProd = await onProduction(
      async (c) => (await c.query("SELECT to_regclass('public.change_note') AS t")).rows[0]?.t,
    );
    expect(onProd).toBeNull();
    const onBranchRows = await onBranch(
      String(created.endpoint),
      async (c) => (await c.query("SELECT note FROM public.change_note")).rows,
    );
    expect(onBranchRows).toEqual([{ note: "on the branch" }]);

    command.child.kill("SIGINT");
    expect(await command.exited).toBe(0);
    const deleted = command.events.find((e) => e.event === "deleted");
    expect(deleted, command.output.join("\n")).toBeDefined();
    process.stderr.write(`branch-app: deleted in ${String(deleted?.deleteMs)} ms after Ctrl-C\n`);
    const gone = await rest<unknown>("GET", `postgres/${branch}`);
    expect(gone.status).toBe(404);
    // Nothing left behind: the app's process and port are gone.
    expect(alive(Number(ready.pid))).toBe(false);
    expect(await portOpen(Number(ready.port))).toBe(false);
    // Production kept its own change.
    const after = await onProduction(
      async (c) =>
        (
          await c.query<{ p: string }>(
            "SELECT o_totalprice::text AS p FROM public.orders_synced WHERE o_orderkey = 1",
          )
        ).rows[0]!.p,
    );
    expect(Number(after)).toBeCloseTo(Number(before) + 1000, 2);
  });

  it("for a bundle target prints the deploy, and if the command is killed the TTL still removes the branch", async () => {
    const command = branchApp(["--ttl", "10s", "--name", "change-killed", "--target", "dev-autoscaling"]);
    const deploy = await command.next("deploy");
    expect(deploy.command).toBe(
      `databricks bundle deploy -t dev-autoscaling --var project_id=${PROJECT} --var app_branch=change-killed`,
    );
    expect(deploy.restore).toBe(`databricks bundle deploy -t dev-autoscaling --var project_id=${PROJECT}`);
    const branch = `projects/${PROJECT}/branches/change-killed`;
    expect((await rest<unknown>("GET", `postgres/${branch}`)).status).toBe(200);
    command.child.kill("SIGKILL");
    await command.exited;
    const deadline = Date.now() + 60_000;
    let state: string | undefined;
    for (;;) {
      const found = await rest<{ status?: { current_state?: string } }>("GET", `postgres/${branch}`);
      state = found.status === 404 ? "gone" : found.body.status?.current_state;
      if (state === "gone" || state === "DELETED" || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(["gone", "DELETED"]).toContain(state);
  });
});
