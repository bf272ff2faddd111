import fs from "node:fs/promises";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { startLocalPostgres } from "./local-postgres.ts";
import { isPortFree } from "./ports.ts";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function scalar(url: string, sql: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows[0]?.v;
  } finally {
    await client.end();
  }
}

/** The SQLSTATE a connection attempt fails with, or "connected". */
async function connectOutcome(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.end();
    return "connected";
  } catch (error) {
    return (error as { code?: string }).code ?? (error as Error).message;
  }
}

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

describe("suspend and resume (scale to zero)", () => {
  it("ends sessions with 57P01, refuses connections with 57P03, and comes back on the same port with its data", async () => {
    const server = await startLocalPostgres({ fast: true });
    try {
      await scalar(server.url(), "create table kept as select 42 as v");
      const session = new pg.Client({ connectionString: server.url() });
      const ended = new Promise<string | undefined>((resolve) =>
        session.on("error", (error) => resolve((error as { code?: string }).code)),
      );
      await session.connect();
      await session.query("select pg_advisory_lock(7)");
      const firstPid = server.pid!;

      expect(server.state).toBe("running");
      await server.suspend();
      expect(server.state).toBe("suspended");
      expect(await ended).toBe("57P01");
      expect(alive(firstPid)).toBe(false);
      expect(await connectOutcome(server.url())).toBe("57P03");
      await server.suspend(); // no-op

      await server.resume();
      expect(server.state).toBe("running");
      expect(server.pid).not.toBe(firstPid);
      expect(await scalar(server.url(), "select v from kept")).toBe(42);
      // The old session's state is gone with it: its advisory lock is free again.
      expect(await scalar(server.url(), "select pg_try_advisory_lock(7) as v")).toBe(true);
      await server.resume(); // no-op
    } finally {
      await server.stop();
    }
    expect(server.state).toBe("stopped");
    await expect(server.resume()).rejects.toThrow(/it was stopped/);
  });

  it("stop() of a suspended cluster frees its port and removes its temporary directory", async () => {
    const server = await startLocalPostgres({ fast: true });
    await server.suspend();
    expect(await isPortFree(server.port)).toBe(false); // held while suspended
    await server.stop();
    expect(await isPortFree(server.port)).toBe(true);
    await expect(fs.access(server.dataDir)).rejects.toThrow();
  });

  it("says when the postmaster died on its own, and resume() brings it back through crash recovery", async () => {
    const server = await startLocalPostgres({ fast: true });
    try {
      // A fast cluster commits without waiting for the WAL to be written: this one must be on disk.
      const client = new pg.Client({ connectionString: server.url() });
      await client.connect();
      await client.query("set synchronous_commit = on");
      await client.query("create table kept as select 7 as v");
      await client.end();
      process.kill(server.pid!, "SIGKILL");
      expect(await until(() => server.state === "exited", 10_000)).toBe(true);
      await server.resume();
      expect(server.state).toBe("running");
      expect(await scalar(server.url(), "select v from kept")).toBe(7);
    } finally {
      await server.stop();
    }
  });
});
