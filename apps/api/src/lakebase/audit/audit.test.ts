import { createDb, type Db, runMigrations } from "@lakebase-orders/db";
import { createLogger } from "@lakebase-orders/log";
import { createTestDatabase, type TestDatabase } from "@lakebase-orders/pg-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuditWriter } from "./audit.ts";

let database: TestDatabase;
let db: Db;
const lines: string[] = [];

beforeAll(async () => {
  // Not migrated yet: app_data does not exist, as while a new instance is still being provisioned.
  database = await createTestDatabase("audit");
  db = createDb({ connectionString: database.url, max: 2 });
});

afterAll(async () => {
  await db.disconnect();
  await database.drop();
});

describe("admin audit writer", () => {
  it("keeps entries its database cannot take, then writes them in order with their own time", async () => {
    const audit = createAuditWriter(db.prisma, createLogger({ write: (line) => lines.push(line) }));
    const before = new Date();
    await audit({ actor: "a@example.com", action: "lakebase.delete", outcome: "succeeded", input: { x: 1 } });
    await audit({ actor: "a@example.com", action: "lakebase.create", outcome: "accepted" });
    expect(lines.filter((l) => l.includes("kept for retry"))).toHaveLength(2);

    await runMigrations({ connectionString: database.url });
    await new Promise((r) => setTimeout(r, 20));
    // Two writers at once must not duplicate the queued rows.
    await Promise.all([
      audit({ actor: "b@example.com", action: "lakebase.stop", outcome: "forbidden" }),
      audit({ actor: "a@example.com", action: "lakebase.create.finished", outcome: "succeeded" }),
    ]);

    const rows = await db.prisma.adminAudit.findMany({ orderBy: { id: "asc" } });
    expect(rows.map((r) => r.action)).toEqual([
      "lakebase.delete",
      "lakebase.create",
      "lakebase.stop",
      "lakebase.create.finished",
    ]);
    expect(rows[0]!.input).toEqual({ x: 1 });
    // The queued rows carry the time of the action, not of the late write.
    expect(rows[0]!.at.getTime()).toBeGreaterThanOrEqual(before.getTime() - 5);
    expect(rows[0]!.at.getTime()).toBeLessThan(rows[2]!.at.getTime());
  });

  it("names the entry it could not write in every retry's log line, the timer's too", async () => {
    const unmigrated = await createTestDatabase("audit_retry");
    const other = createDb({ connectionString: unmigrated.url, max: 1 });
    const said: string[] = [];
    let audit: ReturnType<typeof createAuditWriter> | undefined;
    try {
      audit = createAuditWriter(other.prisma, createLogger({ write: (line) => said.push(line) }), {
        retryMs: 20,
      });
      await audit({ actor: "a@example.com", action: "lakebase.delete", outcome: "succeeded" });
      const failures = () =>
        said
          .map((l) => JSON.parse(l) as { msg: string; action: unknown; actor: unknown })
          .filter((l) => l.msg === "admin audit write failed; kept for retry");
      for (let i = 0; i < 100 && failures().length < 3; i++) await new Promise((r) => setTimeout(r, 20));
      expect(failures().length).toBeGreaterThanOrEqual(3);
      for (const line of failures())
        expect(line).toMatchObject({ action: "lakebase.delete", actor: "a@example.com" });
    } finally {
      audit?.close();
      await other.disconnect();
      await unmigrated.drop();
    }
  });
});
