import { ORDER_SORTS } from "@lakebase-orders/shared";
import { describe, expect, it } from "vitest";
import { MAX_PREPARED, NAMED_LIMITS } from "./sql-builder.ts";
import { byKeyStatement, pageStatement, streamStatement } from "./statements.ts";

const table = `"public"."orders_synced"`;

describe("prepared statement names", () => {
  it("cannot be used up by callers: every page size and cursor a client may send leaves the usual shapes named", () => {
    // What a caller can send, first: every page size, every sort, both directions, with and without a cursor.
    const statements = [];
    for (let limit = 1; limit <= 1000; limit++) {
      for (const sort of ORDER_SORTS)
        statements.push(pageStatement(table, { filters: {}, sort, offset: 0, limit }));
      for (const backward of [false, true]) {
        for (const cursor of [null, 10])
          statements.push(streamStatement(table, { filters: {}, cursor, backward, limit }));
      }
    }
    const named = new Map<string, string>();
    for (const s of statements) if (s.name !== undefined) named.set(s.name, s.text);
    expect(named.size).toBeLessThanOrEqual(MAX_PREPARED);
    // Then what the SPA and the REST guide send: still named, whatever came before.
    for (const limit of [25, 50, 100, 250]) {
      for (const sort of ORDER_SORTS) {
        const s = pageStatement(table, { filters: {}, sort, offset: 0, limit });
        expect(s.name, `${sort} ${limit}`).toBeDefined();
        expect(named.get(s.name ?? "") ?? s.text).toBe(s.text);
      }
      expect(streamStatement(table, { filters: {}, cursor: 5, backward: false, limit }).name).toBeDefined();
    }
    expect(byKeyStatement(table, 1).name).toBeDefined();
    // Other sizes run unnamed; a name is never reused for another text (node-postgres would refuse it).
    expect(
      pageStatement(table, { filters: {}, sort: "orderKey", offset: 0, limit: 37 }).name,
    ).toBeUndefined();
    expect(new Set(named.values()).size).toBe(named.size);
    expect([...NAMED_LIMITS].every((l) => l >= 1 && l <= 1000)).toBe(true);
  });
});
