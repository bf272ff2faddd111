import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createTestDatabase, type TestDatabase } from "@lakebase-orders/pg-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listMigrations } from "./migrations.ts";

const CLI = fileURLToPath(new URL("./migrate-cli.ts", import.meta.url));

function run(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const { DATABASE_URL: _d, LAKEBASE_PG_URL: _l, ...rest } = process.env;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI],
      { env: { ...rest, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase("migrate_cli");
});

afterAll(async () => {
  await db?.drop();
});

describe("migrate CLI", () => {
  it("says which variables to set when neither is", async () => {
    const result = await run({});
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/DATABASE_URL or LAKEBASE_PG_URL/);
  });

  it("applies from LAKEBASE_PG_URL, then finds nothing to do, printing JSON lines without the URL", async () => {
    const names = (await listMigrations()).map((m) => m.name);
    const first = await run({ LAKEBASE_PG_URL: db.url });
    expect(first.code).toBe(0);
    const events = first.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(events.at(-1)).toMatchObject({ event: "migrate_finished", applied: names, alreadyApplied: [] });
    expect(first.stdout).not.toContain(db.url);

    const second = await run({ DATABASE_URL: db.url });
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout.trim().split("\n").at(-1)!)).toMatchObject({
      applied: [],
      alreadyApplied: names,
    });
  });

  it("exits 1 with a JSON error when the database cannot be reached", async () => {
    const result = await run({ DATABASE_URL: "postgresql://nobody:x@127.0.0.1:1/none" });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout.trim())).toMatchObject({ event: "migrate_failed" });
  });
});
