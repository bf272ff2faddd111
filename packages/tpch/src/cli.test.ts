import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createTestDatabase, type TestDatabase } from "@lakebase-orders/pg-local";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateOrders } from "./orders-generator.ts";

const CLI = fileURLToPath(new URL("./cli.ts", import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    // Node 22 strips the types itself: no tsx needed to run the CLI as `pnpm load` would.
    execFile(process.execPath, [CLI, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase("tpch_cli");
});

afterAll(async () => {
  await db?.drop();
});

describe("load CLI", () => {
  it("explains its usage when arguments are missing or contradictory", async () => {
    for (const args of [
      [],
      ["--url", db.url],
      ["--url", db.url, "--rows", "5", "--scale", "1"],
      ["--bogus"],
    ]) {
      const result = await run(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("usage: load --url");
      expect(result.stdout).toBe("");
    }
  });

  it("loads (primary key only unless --indexes) and summarises as JSON lines; refuses to load twice without --replace", async () => {
    const args = [
      "--",
      "--url",
      db.url,
      "--rows",
      "2500",
      "--seed",
      "5",
      "--schema",
      "cli",
      "--table",
      "orders",
    ];
    const first = await run(args);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const events = first.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(events.map((e) => e.event)).toEqual(
      expect.arrayContaining(["load_started", "load_progress", "copy_done", "load_finished"]),
    );
    expect(events.map((e) => e.event)).not.toContain("indexes_done");
    expect(events.at(-1)).toMatchObject({
      event: "load_finished",
      rows: 2500,
      table: '"cli"."orders"',
      indexes: false,
    });
    expect(first.stdout).not.toContain("postgres:postgres");

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const sum = await client.query(
        "SELECT count(*)::int AS n, sum(o_totalprice)::text AS total FROM cli.orders",
      );
      const expected = [...generateOrders({ rows: 2500, seed: 5 })].reduce(
        (cents, r) => cents + Math.round(Number(r.totalPrice) * 100),
        0,
      );
      expect(sum.rows[0]).toEqual({ n: 2500, total: (expected / 100).toFixed(2) });

      const again = await run(args);
      expect(again.code).toBe(1);
      expect(again.stdout).toContain("--replace");

      const indexNames = async () =>
        (
          await client.query<{ indexname: string }>(
            "SELECT indexname FROM pg_indexes WHERE schemaname = 'cli' AND tablename = 'orders' ORDER BY 1",
          )
        ).rows.map((r) => r.indexname);
      expect(await indexNames()).toEqual(["orders_pkey"]);

      const replaced = await run([
        ...args.slice(0, 4),
        "100",
        "--schema",
        "cli",
        "--table",
        "orders",
        "--replace",
        "--indexes",
      ]);
      expect(replaced.code).toBe(0);
      expect(replaced.stdout).toContain('"event":"indexes_done"');
      const count = await client.query("SELECT count(*)::int AS n FROM cli.orders");
      expect(count.rows[0].n).toBe(100);
      expect(await indexNames()).toEqual([
        "orders_o_orderdate_o_orderkey_idx",
        "orders_o_orderpriority_o_orderkey_idx",
        "orders_o_orderstatus_o_orderkey_idx",
        "orders_o_totalprice_o_orderkey_idx",
        "orders_pkey",
      ]);
    } finally {
      await client.end();
    }
  });
});
