// Proves that prisma/schema.prisma (through the generated client) and the SQL migrations describe the
// same database: every model is read and every app model written through Prisma against a migrated one.
import { createTestDatabase, type TestDatabase } from "@lakebase-orders/pg-local";
import { createOrdersTable, generateOrders, loadOrders } from "@lakebase-orders/tpch";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma, PrismaClient } from "./generated/prisma/client.ts";
import { runMigrations } from "./migrations.ts";

const ROWS = 300;
const SEED = 99;

let db: TestDatabase;
let prisma: PrismaClient;

beforeAll(async () => {
  db = await createTestDatabase("prisma_schema");
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    // The synced table exists before the app migrates, as on Lakebase.
    await createOrdersTable(client);
    await loadOrders(client, { rows: ROWS, seed: SEED });
  } finally {
    await client.end();
  }
  await runMigrations({ connectionString: db.url });
  prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: db.url }) });
});

afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

describe("Prisma schema against the migrated database", () => {
  it("reads the synced orders with Decimal and Date mapped as generated", async () => {
    const rows = await prisma.orderSynced.findMany({ orderBy: { orderKey: "asc" } });
    const expected = [...generateOrders({ rows: ROWS, seed: SEED })];
    expect(rows).toHaveLength(ROWS);
    rows.forEach((row, i) => {
      const want = expected[i]!;
      expect(row.orderKey).toBe(BigInt(want.orderKey));
      expect(row.custKey).toBe(BigInt(want.custKey));
      expect(row.orderStatus).toBe(want.orderStatus);
      expect(row.totalPrice).toBeInstanceOf(Prisma.Decimal);
      expect(row.totalPrice.toFixed(2)).toBe(want.totalPrice);
      expect(row.orderDate).toBeInstanceOf(Date);
      expect(row.orderDate.toISOString()).toBe(`${want.orderDate}T00:00:00.000Z`);
      expect(row.orderPriority).toBe(want.orderPriority);
      expect(row.clerk).toBe(want.clerk);
      expect(row.shipPriority).toBe(want.shipPriority);
      expect(row.comment).toBe(want.comment);
    });
    const filtered = await prisma.orderSynced.count({
      where: {
        orderDate: { gte: new Date("1995-01-01T00:00:00Z") },
        totalPrice: { gt: new Prisma.Decimal("100000") },
      },
    });
    expect(filtered).toBe(
      expected.filter((r) => r.orderDate >= "1995-01-01" && Number(r.totalPrice) > 100_000).length,
    );
  });

  it("creates and updates an order status, with defaults and the status check from the migration", async () => {
    const before = Date.now();
    const created = await prisma.orderStatus.create({
      data: { orderKey: 1n, status: "P", updatedBy: "alice" },
    });
    expect(created).toMatchObject({ orderKey: 1n, status: "P", version: 1, updatedBy: "alice" });
    expect(created.updatedAt.getTime()).toBeGreaterThanOrEqual(before - 5000);

    const updated = await prisma.orderStatus.update({
      where: { orderKey: 1n, version: 1 },
      data: { status: "F", version: { increment: 1 }, updatedBy: "bob", updatedAt: new Date() },
    });
    expect(updated).toMatchObject({ orderKey: 1n, status: "F", version: 2, updatedBy: "bob" });
    expect(await prisma.orderStatus.findUnique({ where: { orderKey: 1n } })).toEqual(updated);
    expect(await prisma.orderStatus.count({ where: { status: "F" } })).toBe(1);

    await expect(
      prisma.orderStatus.create({ data: { orderKey: 2n, status: "X", updatedBy: "mallory" } }),
    ).rejects.toThrow();
    await expect(
      prisma.orderStatus.create({ data: { orderKey: 1n, status: "O", updatedBy: "dup" } }),
    ).rejects.toMatchObject({ code: "P2002" });
  });

  it("appends status history and reads it back by order key, newest first", async () => {
    const first = await prisma.orderStatusHistory.create({
      data: { orderKey: 33n, previousStatus: "O", status: "P", changedBy: "alice", requestId: "req-1" },
    });
    const second = await prisma.orderStatusHistory.create({
      data: {
        orderKey: 33n,
        previousStatus: "P",
        status: "F",
        changedBy: "bob",
        changedAt: new Date(first.changedAt.getTime() + 1000),
      },
    });
    await prisma.orderStatusHistory.create({
      data: { orderKey: 34n, previousStatus: "O", status: "F", changedBy: "carol" },
    });
    expect(typeof first.id).toBe("bigint");
    expect(second.id).toBeGreaterThan(first.id);
    expect(second.requestId).toBeNull();

    const history = await prisma.orderStatusHistory.findMany({
      where: { orderKey: 33n },
      orderBy: { changedAt: "desc" },
    });
    expect(history).toEqual([second, first]);
  });

  it("records admin audit rows with JSON input and detail", async () => {
    const input = { instance: "orders-db", capacity: "CU_2", tags: ["a", "b"], nested: { n: 1.5, ok: true } };
    const created = await prisma.adminAudit.create({
      data: { actor: "admin@example.com", action: "instance.create", input, outcome: "ok", requestId: "r-9" },
    });
    expect(created.detail).toBeNull();
    const failed = await prisma.adminAudit.create({
      data: {
        actor: "admin@example.com",
        action: "instance.delete",
        outcome: "error",
        detail: { code: 404 },
      },
    });

    const read = await prisma.adminAudit.findMany({ orderBy: { id: "asc" } });
    expect(read).toEqual([created, failed]);
    expect(read[0]!.input).toEqual(input);
    expect(read[1]!.detail).toEqual({ code: 404 });
    expect(read[1]!.input).toBeNull();
    expect(read[0]!.at).toBeInstanceOf(Date);
    const found = await prisma.adminAudit.findMany({
      where: { input: { path: ["capacity"], equals: "CU_2" } },
    });
    expect(found.map((a) => a.id)).toEqual([created.id]);
  });

  it("stores saved views with JSON search, one name per owner, and the migration's bounds", async () => {
    const search = { status: "F", sort: "-totalPrice", cols: ["orderKey", "totalPrice"] };
    const view = await prisma.savedView.create({
      data: {
        id: "v1-abcdefghijklmnop",
        owner: "alice@example.com",
        name: "Fulfilled, biggest first",
        search,
      },
    });
    expect(view.search).toEqual(search);
    expect(view.createdAt).toBeInstanceOf(Date);
    // Another owner may use the same name; the same owner may not.
    await prisma.savedView.create({
      data: { id: "v2-abcdefghijklmnop", owner: "bob@example.com", name: view.name, search },
    });
    await expect(
      prisma.savedView.create({
        data: { id: "v3-abcdefghijklmnop", owner: "alice@example.com", name: view.name, search },
      }),
    ).rejects.toMatchObject({ code: "P2002" });
    for (const bad of [
      { id: "short", owner: "alice@example.com", name: "x", search },
      { id: "v4-abcdefghijklmnop", owner: "alice@example.com", name: "", search },
      { id: "v5-abcdefghijklmnop", owner: "alice@example.com", name: "x".repeat(81), search },
      { id: "v6-abcdefghijklmnop", owner: "alice@example.com", name: "array", search: [1, 2] },
      { id: "v7-abcdefghijklmnop", owner: "alice@example.com", name: "big", search: { a: "x".repeat(3000) } },
    ]) {
      await expect(prisma.savedView.create({ data: bad }), bad.name).rejects.toThrow();
    }
    const mine = await prisma.savedView.findMany({ where: { owner: "alice@example.com" } });
    expect(mine.map((v) => v.id)).toEqual([view.id]);
  });

  it("has exactly the columns the models declare in every app_data table", async () => {
    // The generated client does not expose Prisma.dmmf, so this compares the scalar field lists it does
    // export, mapped by the schema's naming rule (@map to snake_case), with information_schema.
    const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    const models: Record<string, Record<string, string>> = {
      order_status: Prisma.OrderStatusScalarFieldEnum,
      order_status_history: Prisma.OrderStatusHistoryScalarFieldEnum,
      order_change: Prisma.OrderChangeScalarFieldEnum,
      admin_audit: Prisma.AdminAuditScalarFieldEnum,
      lakebase_operation: Prisma.LakebaseOperationScalarFieldEnum,
      saved_views: Prisma.SavedViewScalarFieldEnum,
      order_rollup: Prisma.OrderRollupScalarFieldEnum,
      order_rollup_state: Prisma.OrderRollupStateScalarFieldEnum,
      order_keys: Prisma.OrderKeyScalarFieldEnum,
      order_keys_state: Prisma.OrderKeysStateScalarFieldEnum,
    };
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const result = await client.query<{ table_name: string; column_name: string }>(
        `SELECT table_name, column_name FROM information_schema.columns
          WHERE table_schema = 'app_data' AND table_name <> '_migrations' ORDER BY table_name, ordinal_position`,
      );
      const actual: Record<string, string[]> = {};
      for (const row of result.rows) {
        actual[row.table_name] = [...(actual[row.table_name] ?? []), row.column_name];
      }
      const declared = Object.fromEntries(
        Object.entries(models).map(([table, fields]) => [table, Object.values(fields).map(snake)]),
      );
      expect(actual).toEqual(declared);
    } finally {
      await client.end();
    }
  });
});
