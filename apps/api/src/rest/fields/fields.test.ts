import { describe, expect, it } from "vitest";
import { z } from "zod";
import { describeIssues, speakerFor } from "../problem.ts";
import { restFields } from "./fields.ts";
import { toSnake } from "./snake.ts";

const shape = {
  pageSize: z.number().int().min(1).max(1000).default(100),
  includeCount: z.boolean().default(true),
  cursor: z.number().int().min(0).nullish(),
  acknowledgeCost: z.literal(true, { error: "acknowledgeCost must be true" }),
};

describe("restFields", () => {
  const query = restFields(shape, { in: "query", renames: { acknowledgeCost: "create_resources" } });

  it("reads the procedure's fields from query strings under snake_case names, defaults kept", () => {
    const parsed = query.schema.parse({ page_size: "50", cursor: "7", create_resources: "true" });
    expect(query.toInput(parsed)).toEqual({
      pageSize: 50,
      includeCount: true,
      cursor: 7,
      acknowledgeCost: true,
    });
    expect(query.toInput(query.schema.parse({ create_resources: "1" }))).toEqual({
      pageSize: 100,
      includeCount: true,
      acknowledgeCost: true,
    });
  });

  it("accepts the boolean spellings FastAPI accepts, and nothing else", () => {
    for (const [text, value] of [
      ["true", true],
      ["False", false],
      ["1", true],
      ["0", false],
      ["yes", true],
      ["off", false],
    ] as const) {
      expect(query.schema.parse({ include_count: text, create_resources: "on" }).include_count, text).toBe(
        value,
      );
    }
    expect(query.schema.safeParse({ include_count: "maybe", create_resources: "true" }).success).toBe(false);
  });

  it("keeps the field's own bounds and messages, spoken with the REST names", () => {
    const speak = speakerFor([query.names]);
    const result = query.schema.safeParse({ page_size: "5000", cursor: "abc", create_resources: "false" });
    expect(result.success).toBe(false);
    expect(describeIssues(result.error!, "query", speak).split("; ")).toEqual([
      "page_size: Too big: expected number to be <=1000",
      "cursor: Invalid input: expected number, received NaN",
      "create_resources must be true",
    ]);
  });

  it("takes JSON bodies as they are (no string coercion)", () => {
    const body = restFields({ pageSize: shape.pageSize }, { in: "body" });
    expect(body.schema.safeParse({ page_size: "5" }).success).toBe(false);
    expect(body.schema.parse({ page_size: 5 })).toEqual({ page_size: 5 });
  });
});

describe("speakerFor and toSnake", () => {
  it("refuses two routes that give one field two REST names", () => {
    const a = restFields({ dateFrom: z.string() }, { in: "query" });
    const b = restFields({ dateFrom: z.string() }, { in: "query", renames: { dateFrom: "from" } });
    expect(() => speakerFor([a.names, b.names])).toThrow(/dateFrom/);
  });

  it("converts keys at any depth", () => {
    expect(toSnake({ orderKey: 1, changes: [{ changedAt: "x", previousStatus: "O" }] })).toEqual({
      order_key: 1,
      changes: [{ changed_at: "x", previous_status: "O" }],
    });
  });
});
