import { ORDER_SORTS } from "@lakebase-orders/shared";
import { describe, expect, it } from "vitest";
import { MAX_PREPARED } from "./sql-builder.ts";
import { pageStatement, streamStatement } from "./statements.ts";

describe("prepared statement names", () => {
  it("stay bounded whatever page sizes clients send, and one text keeps one name", () => {
    const table = `"public"."orders_synced"`;
    const statements = [];
    for (let limit = 2; limit <= 1001; limit++) {
      for (const sort of ORDER_SORTS) {
        statements.push(pageStatement(table, { filters: {}, sort, offset: 0, limit }));
      }
      statements.push(streamStatement(table, { filters: {}, cursor: 10, backward: false, limit }));
    }
    const named = new Map<string, string>();
    for (const s of statements) if (s.name !== undefined) named.set(s.name, s.text);
    expect(named.size).toBeGreaterThan(0);
    expect(named.size).toBeLessThanOrEqual(MAX_PREPARED);
    // The SPA's first page at its page sizes is named (the first texts seen), and keeps its name.
    const first = pageStatement(table, { filters: {}, sort: "orderKey", offset: 0, limit: 2 });
    expect(first.name).toBeDefined();
    expect(named.get(first.name ?? "")).toBe(first.text);
    // A name is never reused for another text (node-postgres would refuse it on a connection).
    expect(new Set(named.values()).size).toBe(named.size);
  });
});
