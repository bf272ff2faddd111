import { createTestDatabase } from "@lakebase-orders/pg-local";
import pg from "pg";
import { expect, it } from "vitest";
import { FAST, sdkFor, until } from "../testing/index.ts";
import { startLakebaseLocal } from "./lakebase-local.ts";

async function databasesLike(adminUrl: string, prefix: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const r = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
      [prefix],
    );
    return r.rows.map((row) => row.datname).sort();
  } finally {
    await client.end();
  }
}

it("gives each LakebaseLocal on a shared cluster its own physical databases and drops them on stop", async () => {
  const db = await createTestDatabase("lbl_life");
  const [a, b] = await Promise.all([
    startLakebaseLocal({ postgres: { adminUrl: db.adminUrl }, timings: FAST, sourceRows: 10 }),
    startLakebaseLocal({ postgres: { adminUrl: db.adminUrl }, timings: FAST, sourceRows: 10 }),
  ]);
  try {
    for (const local of [a, b]) {
      const w = sdkFor(local);
      // The same instance name in both: no clash on the cluster.
      await w.database.createDatabaseInstance({ database_instance: { name: "same-name", capacity: "CU_1" } });
      await until(
        () => w.database.getDatabaseInstance({ name: "same-name" }),
        (i) => i.state === "AVAILABLE",
      );
      await w.database.createDatabaseCatalog({
        catalog: {
          name: "c",
          database_instance_name: "same-name",
          database_name: "app",
          create_database_if_not_exists: true,
        },
      });
    }
    const prefixA = a.physicalDatabase("same-name", "");
    const prefixB = b.physicalDatabase("same-name", "");
    expect(prefixA).not.toBe(prefixB);
    expect(await databasesLike(db.adminUrl, prefixA)).toEqual([
      `${prefixA}app`,
      `${prefixA}databricks_postgres`,
    ]);
    await a.stop();
    expect(await databasesLike(db.adminUrl, prefixA)).toEqual([]);
    expect(await databasesLike(db.adminUrl, prefixB)).toHaveLength(2);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await db.drop();
  }
});
