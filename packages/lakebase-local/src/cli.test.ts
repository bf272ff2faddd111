import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isPortFree } from "@lakebase-orders/pg-local";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { sdkFor } from "../testing/index.ts";
import type { ReadyLine } from "./ready-line.ts";

const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), "cli.ts");
const dirs: string[] = [];
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  await Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true })));
});

type Ready = ReadyLine & { pgPort: number; instanceName: string; databaseName: string };

function startCli(args: string[]): Promise<{ child: ChildProcess; ready: Ready; logs: string[] }> {
  const child = spawn(process.execPath, ["--import", "tsx", cli, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, LAKEBASE_LOCAL_TOKEN_TTL: "30" },
  });
  children.push(child);
  const logs: string[] = [];
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => logs.push(chunk));
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve({ child, ready: JSON.parse(line) as Ready, logs });
    });
    child.once("exit", (code) => reject(new Error(`cli exited (${code}) before ready: ${logs.join("")}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((r) => child.once("exit", r));
}

describe("the CLI", () => {
  it("prints one JSON line, serves the seeded data over verified TLS, stops on SIGTERM leaving no port, restarts from its data dir, and can require TLS", async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "lbl-cli-"));
    dirs.push(dataDir);
    const args = [
      "--data-dir",
      dataDir,
      "--rows",
      "300",
      "--instance",
      "cli-inst",
      "--catalog",
      "cli_cat",
      "--database",
      "appdb",
    ];
    const first = await startCli(args);
    const { ready } = first;
    expect(Object.keys(ready).sort()).toEqual(
      [
        "caFile",
        "caPem",
        "databaseName",
        "instanceName",
        "pgHost",
        "pgPort",
        "requireTls",
        "restUrl",
        "workspaceToken",
        "flavor",
        "projectName",
        "branchName",
        "endpointName",
        "endpointPort",
      ].sort(),
    );
    // The default flavour: the seed is a project, whose primary endpoint is the instance's front door.
    expect(ready).toMatchObject({
      flavor: "autoscaling",
      projectName: "projects/cli-inst",
      branchName: "projects/cli-inst/branches/production",
      endpointName: "projects/cli-inst/branches/production/endpoints/primary",
      endpointPort: ready.pgPort,
    });
    // The CA lives in the data dir, so a restart keeps the file that clients trust.
    expect(ready.caFile).toBe(path.join(dataDir, "tls", "ca.pem"));
    expect(await fs.readFile(ready.caFile, "utf8")).toBe(ready.caPem);
    expect(ready.requireTls).toBe(false);
    expect([ready.instanceName, ready.databaseName, ready.pgHost]).toEqual([
      "cli-inst",
      "appdb",
      "127.0.0.1",
    ]);
    for (const line of first.logs.join("").trim().split("\n")) expect(() => JSON.parse(line)).not.toThrow();
    expect(first.logs.join("")).not.toContain(ready.workspaceToken);

    const w = sdkFor({ restUrl: ready.restUrl, workspaceToken: ready.workspaceToken } as never);
    const credential = await w.database.generateDatabaseCredential({ instance_names: ["cli-inst"] });
    const ttl = (Date.parse(credential.expiration_time ?? "") - Date.now()) / 1000;
    expect(ttl).toBeGreaterThan(20);
    expect(ttl).toBeLessThanOrEqual(30);
    const me = await w.currentUser.me();
    const query = async (r: Ready, password: string) => {
      const client = new pg.Client({
        host: r.pgHost,
        port: r.pgPort,
        user: me.userName,
        database: r.databaseName,
        password,
        // verify-full: the server certificate is checked against the CA the ready line names.
        ssl: { ca: await fs.readFile(r.caFile, "utf8") },
      });
      await client.connect();
      try {
        return Number(
          (await client.query<{ n: string }>("SELECT count(*) AS n FROM public.orders_synced")).rows[0]?.n,
        );
      } finally {
        await client.end();
      }
    };
    expect(await query(ready, credential.token ?? "")).toBe(300);
    const pipelineId = (await w.database.getSyncedDatabaseTable({ name: "cli_cat.public.orders_synced" }))
      .data_synchronization_status?.pipeline_id;

    first.child.kill("SIGTERM");
    expect(await exited(first.child)).toBe(0);
    expect(await isPortFree(ready.pgPort)).toBe(true);
    expect(await isPortFree(Number(new URL(ready.restUrl).port))).toBe(true);
    // The branch's PostgreSQL is gone too (it removes its pid file on a clean shutdown), and so is the
    // instances' cluster, started for the synced table's source (no instance lives there).
    const branches = await fs.readdir(path.join(dataDir, "branches"));
    expect(branches).toHaveLength(1);
    for (const pgDir of [path.join(dataDir, "branches", branches[0] ?? "", "pg"), path.join(dataDir, "pg")]) {
      await fs.access(path.join(pgDir, "PG_VERSION"));
      await expect(fs.access(path.join(pgDir, "postmaster.pid"))).rejects.toThrow();
    }

    // A restart finds the same resources (no reload: the same pipeline) on the same front-door port.
    const second = await startCli(args);
    const w2 = sdkFor({
      restUrl: second.ready.restUrl,
      workspaceToken: second.ready.workspaceToken,
    } as never);
    const synced = await w2.database.getSyncedDatabaseTable({ name: "cli_cat.public.orders_synced" });
    expect(synced.data_synchronization_status?.pipeline_id).toBe(pipelineId);
    expect(synced.data_synchronization_status?.detailed_state).toBe("SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE");
    expect(second.ready.pgPort).toBe(ready.pgPort);
    expect(second.ready.caPem).toBe(ready.caPem);
    const again = await w2.database.generateDatabaseCredential({ instance_names: ["cli-inst"] });
    expect(await query(second.ready, again.token ?? "")).toBe(300);
    second.child.kill("SIGINT");
    expect(await exited(second.child)).toBe(0);
    expect(await isPortFree(second.ready.pgPort)).toBe(true);

    // --require-tls refuses plain logins and says so on the ready line.
    const third = await startCli([...args, "--require-tls"]);
    expect(third.ready.requireTls).toBe(true);
    const w3 = sdkFor({ restUrl: third.ready.restUrl, workspaceToken: third.ready.workspaceToken } as never);
    const token =
      (await w3.database.generateDatabaseCredential({ instance_names: ["cli-inst"] })).token ?? "";
    const plain = new pg.Client({
      host: third.ready.pgHost,
      port: third.ready.pgPort,
      user: me.userName,
      database: third.ready.databaseName,
      password: token,
      ssl: false,
    });
    await expect(plain.connect()).rejects.toMatchObject({ code: "28000" });
    expect(await query(third.ready, token)).toBe(300);
    third.child.kill("SIGTERM");
    expect(await exited(third.child)).toBe(0);
  }, 120_000);
});
