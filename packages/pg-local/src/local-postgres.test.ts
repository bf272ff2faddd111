import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { startLocalPostgres } from "./local-postgres.ts";
import { createTestDatabase } from "./test-database.ts";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe("startLocalPostgres", () => {
  it("starts a real PostgreSQL, and stop leaves no process and no temporary directory", async () => {
    const server = await startLocalPostgres({ fast: true });
    // Lakebase Provisioned runs PostgreSQL 16: SQL that works here must work there.
    const rows = await query(server.url(), "select current_setting('server_version_num')::int as v");
    expect(Math.floor((rows[0] as { v: number }).v / 10000)).toBe(16);
    expect(server.pid).toBeTypeOf("number");
    expect(alive(server.pid!)).toBe(true);
    await server.stop();
    expect(alive(server.pid!)).toBe(false);
    await expect(fs.access(server.dataDir)).rejects.toThrow();
    await server.stop(); // idempotent
  });

  it("starts fast temporary clusters from copies of one template, each its own", async () => {
    const [a, b] = await Promise.all([
      startLocalPostgres({ fast: true }),
      startLocalPostgres({ fast: true }),
    ]);
    try {
      await query(a.url(), "create table only_in_a (v int)");
      expect(await query(b.url(), "select to_regclass('only_in_a') as t")).toEqual([{ t: null }]);
      const base = path.dirname(a.dataDir);
      const templates = (await fs.readdir(base)).filter((n) => /^pg-local-template-[0-9a-f]+$/.test(n));
      expect(templates.length).toBeGreaterThan(0);
      for (const name of templates) {
        const stat = await fs.stat(path.join(base, name));
        expect(stat.mode & 0o022).toBe(0);
        // The template is never started: no server ever wrote into it.
        await expect(fs.access(path.join(base, name, "data", "postmaster.pid"))).rejects.toThrow();
      }
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it("keeps a named data directory between runs", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "pg-keep-"));
    try {
      const first = await startLocalPostgres({ dataDir: dir, fast: true });
      await query(first.url(), "create table kept (v int); insert into kept values (42)");
      await first.stop();
      const second = await startLocalPostgres({ dataDir: dir, fast: true });
      expect(await query(second.url(), "select v from kept")).toEqual([{ v: 42 }]);
      await second.stop();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it("says clearly when the port is taken", async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await expect(startLocalPostgres({ port })).rejects.toThrow(
        /port \d+ on 127\.0\.0\.1 is already in use/,
      );
    } finally {
      blocker.close();
    }
  });

  it("says clearly when the directory is unusable", async () => {
    const file = path.join(await fs.mkdtemp(path.join(os.tmpdir(), "pg-bad-")), "not-a-dir");
    await fs.writeFile(file, "x");
    await expect(startLocalPostgres({ dataDir: file })).rejects.toThrow(/data directory .* is not usable/);
    const full = await fs.mkdtemp(path.join(os.tmpdir(), "pg-full-"));
    await fs.writeFile(path.join(full, "something"), "x");
    await expect(startLocalPostgres({ dataDir: full })).rejects.toThrow(/not empty and holds no PostgreSQL/);
  });
});

describe("a server that dies at start", () => {
  it("rejects with PostgreSQL's reason instead of hanging", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "pg-dies-"));
    try {
      const first = await startLocalPostgres({ dataDir: dir, fast: true });
      await first.stop();
      // A setting the server refuses: the postmaster exits during start-up.
      await fs.appendFile(path.join(dir, "postgresql.auto.conf"), "shared_buffers = 'plenty'\n");
      await expect(startLocalPostgres({ dataDir: dir, fast: true })).rejects.toThrow(
        /did not start[\s\S]*shared_buffers/,
      );
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it("names a cluster of another major version and what to do, in one line", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "pg-major-"));
    try {
      const first = await startLocalPostgres({ dataDir: dir, fast: true });
      await first.stop();
      await fs.writeFile(path.join(dir, "PG_VERSION"), "18\n");
      const error = await startLocalPostgres({ dataDir: dir, fast: true }).catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(
        /holds a PostgreSQL 18 cluster, which PostgreSQL 16 cannot open; delete it \(`rm -rf .*`\)/,
      );
      expect((error as Error).message).not.toContain("\n");
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe("a process that ends without stop()", () => {
  const entry = new URL("./index.ts", import.meta.url).href;

  /** A Node process that starts a cluster, prints the postmaster's pid and then waits (or exits). */
  function owner(then: string): { child: ChildProcess; pid: Promise<number> } {
    const script = `const m = await import(${JSON.stringify(entry)});
      const s = await m.startLocalPostgres({ fast: true });
      console.log(s.pid);
      ${then}`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const pid = new Promise<number>((resolve, reject) => {
      child.stdout?.setEncoding("utf8").once("data", (text: string) => resolve(Number.parseInt(text, 10)));
      child.once("exit", (code) => reject(new Error(`owner exited (${code}) before printing the pid`)));
    });
    return { child, pid };
  }

  async function gone(pid: number): Promise<boolean> {
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    return !alive(pid);
  }

  it.each(["SIGTERM", "SIGINT"] as const)("leaves no server behind when killed by %s", async (signal) => {
    const { child, pid } = owner("setInterval(() => {}, 1000);");
    const postmaster = await pid;
    expect(alive(postmaster)).toBe(true);
    const exited = new Promise((r) => child.once("exit", (_code, sig) => r(sig)));
    child.kill(signal);
    expect(await exited).toBe(signal);
    expect(await gone(postmaster)).toBe(true);
  });

  it("leaves no server behind when it calls process.exit", async () => {
    const { pid } = owner("setTimeout(() => process.exit(0), 100);");
    expect(await gone(await pid)).toBe(true);
  });
});

describe("createTestDatabase", () => {
  it("gives each caller its own empty database", async () => {
    const [a, b] = await Promise.all([createTestDatabase("iso"), createTestDatabase("iso")]);
    expect(a.name).not.toBe(b.name);
    await query(a.url, "create table only_in_a (v int)");
    expect(await query(b.url, "select to_regclass('only_in_a') as t")).toEqual([{ t: null }]);
    await Promise.all([a.drop(), b.drop()]);
  });
});
