import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { startLocalPostgres } from "./local-postgres.ts";

// As root, PostgreSQL runs as the `postgres` OS user, which cannot enter a 0700 home. Without root
// there is nothing to test: the server runs as the user who owns the checkout.
const asRoot = process.getuid?.() === 0;
const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true })));
});

/** A folder like a private home: root's alone, mode 0700. */
async function privateFolder(label: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `pg-${label}-`));
  await fs.chmod(dir, 0o700);
  dirs.push(dir);
  return dir;
}

async function reachableFolder(label: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `pg-${label}-`));
  await fs.chmod(dir, 0o755);
  dirs.push(dir);
  return dir;
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

describe.runIf(asRoot)("as root, a data directory under a private (0700) folder", () => {
  it("works: the cluster lives in the runtime folder, and a restart finds it again", async () => {
    const home = await privateFolder("home");
    const runtimeDir = path.join(await reachableFolder("runtime"), "pg");
    const dataDir = path.join(home, "checkout/.data/pg");

    const first = await startLocalPostgres({ dataDir, runtimeDir, fast: true });
    expect(first.dataDir.startsWith(runtimeDir)).toBe(true);
    await scalar(first.url(), "create table kept as select 42 as v");
    await first.stop();

    const second = await startLocalPostgres({ dataDir, runtimeDir, fast: true });
    expect(second.dataDir).toBe(first.dataDir);
    expect(await scalar(second.url(), "select v from kept")).toBe(42);
    await second.stop();
  });

  it("fails with one line naming the folder and the fix when the runtime folder is private too", async () => {
    const home = await privateFolder("home");
    const elsewhere = await privateFolder("elsewhere");
    const error = await startLocalPostgres({
      dataDir: path.join(home, "checkout/.data/pg"),
      runtimeDir: path.join(elsewhere, "runtime"),
    }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).not.toContain("\n");
    expect(message).toContain(`cannot enter ${elsewhere} (mode 0700)`);
    expect(message).toContain("PG_LOCAL_RUNTIME_DIR");
    expect(message).toContain(`chmod o+x ${elsewhere}`);
  });

  it("refuses a runtime folder that others may write to (its binaries run as postgres)", async () => {
    const home = await privateFolder("home");
    const open = await reachableFolder("open");
    await fs.chmod(open, 0o777);
    await expect(startLocalPostgres({ dataDir: path.join(home, "pg"), runtimeDir: open })).rejects.toThrow(
      /must belong to root and be writable by root alone/,
    );
  });
});
