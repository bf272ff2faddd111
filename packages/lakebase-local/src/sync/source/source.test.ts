import { randomBytes } from "node:crypto";
import { createTestDatabase, type TestDatabase } from "@lakebase-orders/pg-local";
import { generateOrders } from "@lakebase-orders/tpch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rejectionOf } from "../../../testing/index.ts";
import { Cluster } from "../../compute/cluster.ts";
import { sourceChangeSchema } from "./changes.ts";
import { baseIndexOf, Source, toSourceRow } from "./source.ts";

const BASE = 100;
let db: TestDatabase;
let source: Source;

beforeAll(async () => {
  db = await createTestDatabase("lbl_source");
  source = new Source(new Cluster(db.adminUrl), `lbl_source_${randomBytes(4).toString("hex")}`, BASE);
});

afterAll(async () => {
  await source?.close();
  await new Cluster(db.adminUrl).dropDatabase(source.database);
  await db?.drop();
});

const apply = (change: unknown) => source.apply(sourceChangeSchema.parse(change));
const base = [...generateOrders({ rows: BASE })].map(toSourceRow);

describe("the source", () => {
  it("starts at version 0 with the generated base, and each change is one version with its change feed", async () => {
    const head = await source.head();
    expect(head).toMatchObject({ version: 0, baseRows: BASE });
    expect(Date.parse(head.committed_at)).toBeGreaterThan(0);

    const [first, second, third] = base;
    if (!first || !second || !third) throw new Error("no base rows");
    const update = await apply({
      op: "update",
      keys: [first.o_orderkey, 999_999],
      set: { o_orderstatus: "F" },
    });
    // Only the key that exists changed.
    expect(update).toMatchObject({ version: 1, rows: 1 });
    const del = await apply({ op: "delete", keys: [second.o_orderkey] });
    expect(del).toMatchObject({ version: 2, rows: 1 });
    const insert = await apply({ op: "insert", count: 2, set: { o_comment: "new" } });
    expect(insert).toMatchObject({ version: 3, rows: 2 });
    expect(Date.parse(insert.committed_at)).toBeGreaterThanOrEqual(Date.parse(del.committed_at));

    const changes = await source.changesAfter({ version: 0, key: Number.MAX_SAFE_INTEGER }, 3, 10);
    expect(changes.map((c) => [c.version, c.change_type])).toEqual([
      [1, "update"],
      [2, "delete"],
      [3, "insert"],
      [3, "insert"],
    ]);
    expect(changes[0]?.before).toEqual(first);
    expect(changes[0]?.after).toEqual({ ...first, o_orderstatus: "F" });
    expect(changes[1]).toMatchObject({ before: second, after: null });
    // New orders continue the base's key sequence (dbgen's sparse keys) after its last key.
    const newKeys = changes.slice(2).map((c) => c.o_orderkey);
    expect(
      newKeys.every((k) => baseIndexOf(k, BASE) === undefined && baseIndexOf(k, BASE * 2) !== undefined),
    ).toBe(true);
    expect(changes[2]?.after?.o_comment).toBe("new");
    expect(await source.changeCount(0, 3)).toBe(4);
    expect(await source.changeCount(1, 2)).toBe(1);

    // The table at each version: the base overlaid with the latest change per key.
    expect(await source.overlayAt(1)).toEqual(
      new Map([[first.o_orderkey, { ...first, o_orderstatus: "F" }]]),
    );
    const at3 = await source.overlayAt(3);
    expect(at3.get(second.o_orderkey)).toBeNull();
    expect([...at3.keys()].sort((a, b) => a - b)).toEqual([first.o_orderkey, second.o_orderkey, ...newKeys]);

    // Changing nothing commits nothing.
    expect(await apply({ op: "delete", keys: [second.o_orderkey] })).toMatchObject({ version: 3, rows: 0 });
    // A deleted key can be inserted again; an existing one cannot.
    const again = await apply({ op: "insert", rows: [{ ...second, o_comment: "back" }] });
    expect(again).toMatchObject({ version: 4, rows: 1 });
    const dup = await rejectionOf(apply({ op: "insert", rows: [third] }));
    expect(dup.message).toMatch(/already exist/);
  });

  it("updates and deletes the rows that exist in a key range", async () => {
    const before = (await source.head()).version;
    const range = await apply({
      op: "update",
      keyRange: { from: 1, to: 40 },
      set: { o_clerk: "Clerk#000000042" },
    });
    // Keys 1-8 and 33-40 are the base's in 1..40 (and one of them may have been deleted and re-inserted).
    expect(range).toMatchObject({ version: before + 1, rows: 16 });
    const changes = await source.changesAfter(
      { version: before, key: Number.MAX_SAFE_INTEGER },
      before + 1,
      100,
    );
    expect(changes.every((c) => c.after?.o_clerk === "Clerk#000000042")).toBe(true);
    const deleted = await apply({ op: "delete", keyRange: { from: 33, to: 36 } });
    expect(deleted.rows).toBe(4);
  });

  it("refuses malformed changes", () => {
    for (const bad of [
      { op: "update", set: { o_orderstatus: "F" } },
      { op: "update", keys: [1], keyRange: { from: 1, to: 2 }, set: { o_orderstatus: "F" } },
      { op: "update", keys: [1], set: {} },
      { op: "update", keys: [1], set: { o_orderkey: 5 } },
      { op: "update", keys: [1], set: { o_totalprice: "12.345" } },
      { op: "update", keys: [1], set: { o_orderdate: "1995-13-01" } },
      { op: "insert", count: 0 },
      { op: "insert" },
      { op: "delete", keyRange: { from: 5, to: 1 } },
      { op: "truncate" },
    ]) {
      expect([bad, sourceChangeSchema.safeParse(bad).success]).toEqual([bad, false]);
    }
  });
});
