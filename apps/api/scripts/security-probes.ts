// The probes of issues #14 and #26 against a built app folder (default dist/app), as Databricks Apps runs it
// and as a developer runs it outside Apps, each over its own local database. Prints one line per probe.
//   node apps/api/scripts/security-probes.ts [appDir] [--mode apps|local|both] [--fuzz N] [--only id,id]
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { appsModeEnv, formatProbes, type ProbeTarget, runProbes } from "@lakebase-orders/api/testing";
import { LOCAL_ADMIN } from "@lakebase-orders/config";
import { startLakebaseLocal } from "@lakebase-orders/lakebase-local";
import { freePort, startLocalPostgres } from "@lakebase-orders/pg-local";
import { createOrderIndexes, loadOrders } from "@lakebase-orders/tpch";
import pg from "pg";

const { values, positionals } = parseArgs({
  options: {
    mode: { type: "string", default: "both" },
    fuzz: { type: "string", default: "10000" },
    only: { type: "string" },
  },
  allowPositionals: true,
});
const repoRoot = path.resolve(import.meta.dirname, "../../..");
const appDir = path.resolve(positionals[0] ?? path.join(repoRoot, "dist/app"));
const fuzzCount = Number(values.fuzz);
const only = values.only ? values.only.split(",") : undefined;
const ADMIN = "admin@example.com";
const USER = "analyst@example.com";
const SP = { clientId: "8f6c1a52-0d1e-4c3b-9a57-5b1f3a0e2d44", clientSecret: "probe-secret" };
const lanAddress = Object.values(os.networkInterfaces())
  .flat()
  .find((i) => i && i.family === "IPv4" && !i.internal)?.address;

function plainEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production", ...extra };
}

/** Starts the app and waits until it answers on `/api/<until>` (ready: migrated and reaching the database). */
async function startApp(
  env: NodeJS.ProcessEnv,
  port: number,
  until: "health" | "ready" = "ready",
): Promise<{ child: ChildProcess; output: string[] }> {
  const output: string[] = [];
  const child = spawn(process.execPath, ["server.mjs"], {
    cwd: appDir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (c: Buffer) => output.push(c.toString()));
  child.stderr?.on("data", (c: Buffer) => output.push(c.toString()));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`app exited:\n${output.join("")}`);
    const ok = await fetch(`http://127.0.0.1:${port}/api/${until}`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { child, output };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`app not up:\n${output.join("")}`);
}

async function stopApp(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

/** What the probes need of the database the app reads: its export backends, a lock, a comment. */
function databaseTools(pool: pg.Pool, table: string) {
  return {
    exportBackends: async () => {
      const { rows } = await pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'COPY (SELECT%' AND datname = current_database()",
      );
      return rows[0]?.n ?? 0;
    },
    // A lock the export's query waits behind: database work that has not sent a byte, like a long sort.
    holdExports: async () => {
      const client = await pool.connect();
      await client.query("BEGIN");
      await client.query("LOCK TABLE app_data.order_status IN ACCESS EXCLUSIVE MODE");
      return async () => {
        await client.query("ROLLBACK");
        client.release();
      };
    },
    setComment: async (orderKey: number, comment: string) => {
      await pool.query(`UPDATE ${table} SET o_comment = $1 WHERE o_orderkey = $2`, [comment, orderKey]);
    },
  };
}

async function appsMode(): Promise<string> {
  const names = {
    instanceName: "orders-probe",
    catalogName: "orders_catalog",
    databaseName: "orders",
    syncedTable: "orders_catalog.public.orders_synced",
  };
  const lakebase = await startLakebaseLocal({
    servicePrincipals: [SP],
    timings: { instanceStartMs: 0, instanceDeleteMs: 0, pipelineStepMs: 0 },
    sourceRows: 3000,
    seed: names,
  });
  const appsEnv = (port: number) =>
    plainEnv({
      ...appsModeEnv({ lakebase, names, servicePrincipal: SP, admin: ADMIN }),
      DATABRICKS_APP_PORT: String(port),
    });
  // TLS: the same app, but not told about the local Lakebase's CA. Verifying, it must never reach the
  // database (older builds stop at start-up, newer ones stay unready), and say why in its log.
  const tlsLine = await (async () => {
    const port = await freePort();
    const env = appsEnv(port);
    delete env.PGSSLROOTCERT;
    const name = "tls-untrusted-cert".padEnd(26);
    const certError = /self[- ]signed certificate[^"\\]*|unable to verify[^"\\]*/i;
    let started: Awaited<ReturnType<typeof startApp>>;
    try {
      started = await startApp(env, port, "health");
    } catch (error) {
      const reason = String(error).match(certError)?.[0];
      return `safe   ${name} ${"refused to start".padEnd(24)} ${reason ?? String(error).slice(0, 120)}`;
    }
    let ready = 0;
    for (let i = 0; i < 40 && ready !== 200; i++) {
      ready = await fetch(`http://127.0.0.1:${port}/api/ready`).then((r) => r.status);
      await new Promise((r) => setTimeout(r, 250));
    }
    await stopApp(started.child);
    const reason = started.output.join("").match(certError)?.[0];
    return ready === 200
      ? `UNSAFE ${name} ${"ready 200".padEnd(24)} PGSSLMODE=require, CA not trusted: connected anyway`
      : `safe   ${name} ${`never ready (${ready})`.padEnd(24)} ${reason ?? "no certificate error logged"}`;
  })();
  const port = await freePort();
  const { child, output } = await startApp(appsEnv(port), port);
  const auditDb = new pg.Pool({
    connectionString: `${lakebase.adminUrl.replace(/\/[^/]*$/, "")}/${lakebase.physicalDatabase(names.instanceName, names.databaseName)}`,
  });
  auditDb.on("error", () => undefined);
  const setStopped = async (stopped: boolean) => {
    const url = `${lakebase.restUrl}/api/2.0/database/instances/${names.instanceName}?update_mask=stopped`;
    await fetch(url, {
      method: "PATCH",
      headers: { authorization: `Bearer ${lakebase.workspaceToken}`, "content-type": "application/json" },
      body: JSON.stringify({ stopped }),
    });
    for (let i = 0; i < 100; i++) {
      const r = await fetch(`${lakebase.restUrl}/api/2.0/database/instances/${names.instanceName}`, {
        headers: { authorization: `Bearer ${lakebase.workspaceToken}` },
      });
      const state = ((await r.json()) as { state?: string }).state;
      if (state === (stopped ? "STOPPED" : "AVAILABLE")) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const target: ProbeTarget = {
    url: `http://127.0.0.1:${port}`,
    mode: "apps",
    admin: ADMIN,
    user: USER,
    lakebaseConfigured: true,
    fuzzCount,
    ...(only && { only }),
    ...databaseTools(auditDb, "public.orders_synced"),
    auditInputBytes: async (requestId) => {
      const { rows } = await auditDb.query<{ n: number | null }>(
        "SELECT octet_length(input::text) AS n FROM app_data.admin_audit WHERE request_id = $1",
        [requestId],
      );
      return rows.length ? (rows[0]?.n ?? 0) : null;
    },
    breakDatabase: async () => {
      await setStopped(true);
      return () => setStopped(false);
    },
  };
  try {
    return `${tlsLine}\n${formatProbes(await runProbes(target))}`;
  } finally {
    // What the app logged at error level (an answer >= 500 says why here), on stderr.
    const errors = output
      .join("")
      .split("\n")
      .filter((line) => line.includes('"level":"error"'));
    for (const line of errors.slice(0, 20)) process.stderr.write(`app error: ${line.slice(0, 2000)}\n`);
    await stopApp(child);
    await auditDb.end();
    await lakebase.stop();
  }
}

async function localMode(): Promise<string> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "probe-pg-"));
  const pgPort = await freePort();
  let postgres = await startLocalPostgres({ dataDir, port: pgPort, fast: true });
  const client = new pg.Client({ connectionString: postgres.url() });
  await client.connect();
  await loadOrders(client, { rows: 3000, seed: 3 });
  await createOrderIndexes(client);
  await client.end();
  const lines: string[] = [];
  try {
    // First with the default HOST: can the network reach it?
    const port = await freePort();
    const env = plainEnv({ LAKEBASE_PG_URL: postgres.url(), PORT: String(port) });
    const first = await startApp(env, port);
    const reachable = lanAddress
      ? await fetch(`http://${lanAddress}:${port}/api/health`).then(
          (r) => `answers ${r.status}`,
          (e: Error) => `refused (${(e.cause as { code?: string })?.code ?? e.message})`,
        )
      : "no LAN interface";
    const listening = first.output.join("").match(/"msg":"listening".*?"host":"([^"]+)"/)?.[1] ?? "?";
    lines.push(
      `${reachable.startsWith("refused") ? "safe  " : "UNSAFE"} ${"default-listen".padEnd(26)} ${listening.padEnd(24)} default HOST; over ${lanAddress}: ${reachable}`,
    );
    await stopApp(first.child);

    // Then in local development (the local admin is possible there) listening on every interface, as someone
    // who sets HOST=0.0.0.0 would; beside it the production build over loopback, and one behind a same-host
    // proxy that names its callers (TRUST_FORWARDED_HEADERS).
    const port2 = await freePort();
    const development = { ...env, NODE_ENV: "development" };
    const { child } = await startApp({ ...development, PORT: String(port2), HOST: "0.0.0.0" }, port2);
    const port3 = await freePort();
    const production = await startApp({ ...env, PORT: String(port3) }, port3);
    const port4 = await freePort();
    const trusting = await startApp(
      { ...development, PORT: String(port4), TRUST_FORWARDED_HEADERS: "true" },
      port4,
    );
    const db = new pg.Pool({ connectionString: postgres.url(), max: 3 });
    // The readiness probe stops the database under it: an idle connection's end is not a failure here.
    db.on("error", () => undefined);
    const target: ProbeTarget = {
      url: `http://127.0.0.1:${port2}`,
      lanUrl: lanAddress ? `http://${lanAddress}:${port2}` : null,
      mode: "local",
      admin: LOCAL_ADMIN,
      user: USER,
      lakebaseConfigured: false,
      fuzzCount,
      ...(only && { only }),
      productionUrl: `http://127.0.0.1:${port3}`,
      trustingUrl: `http://127.0.0.1:${port4}`,
      ...databaseTools(db, "public.orders_synced"),
      breakDatabase: async () => {
        await postgres.stop();
        return async () => {
          postgres = await startLocalPostgres({ dataDir, port: pgPort, fast: true });
        };
      },
    };
    try {
      lines.push(formatProbes(await runProbes(target)));
    } finally {
      await stopApp(child);
      await stopApp(production.child);
      await stopApp(trusting.child);
      await db.end();
    }
  } finally {
    await postgres.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return lines.join("\n");
}

if (!fs.existsSync(path.join(appDir, "node_modules"))) {
  execFileSync("npm", ["install", "--no-audit", "--no-fund"], {
    cwd: appDir,
    env: plainEnv({}),
    stdio: "inherit",
  });
}
const mode = values.mode;
if (mode === "apps" || mode === "both")
  process.stdout.write(`== Databricks Apps mode\n${await appsMode()}\n`);
if (mode === "local" || mode === "both") process.stdout.write(`== local mode\n${await localMode()}\n`);
process.exit(0);
