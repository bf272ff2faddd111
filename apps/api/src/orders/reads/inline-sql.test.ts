import { withClient } from "@lakebase-orders/pg-local";
import { describe, expect, it } from "vitest";
import { inlineSql, literal } from "./inline-sql.ts";

describe("inlineSql", () => {
  it("inlines values as SQL literals, quotes doubled, backslashes in the E'' form, other types refused", () => {
    expect(inlineSql("a = $1 AND b >= $2::date AND c = $3 AND d = $1", ["x'y", "1995-01-01", 3])).toBe(
      "a = 'x''y' AND b >= '1995-01-01'::date AND c = '3' AND d = 'x''y'",
    );
    expect(() => inlineSql("a = $2", ["x"])).toThrow(RangeError);
    expect(literal("a\\b'")).toBe(" E'a\\\\b'''");
    expect(() => literal({})).toThrow(TypeError);
    expect(() => literal(Number.NaN)).toThrow(TypeError);
    expect(() => literal("nul\0")).toThrow(TypeError);
  });

  it("never lets a value join the text around it: x-$1 with a negative number stays an expression", () => {
    expect(inlineSql("SELECT 3-$1", [-5])).not.toContain("--");
    expect(inlineSql("SELECT 3-$1", [-5n])).not.toContain("--");
    expect(inlineSql("SELECT $1/$2", ["*", "*/"])).toBe("SELECT '*'/'*/'");
  });

  it("reads back as the values it was given, in PostgreSQL", async () => {
    const url = process.env.PG_LOCAL_ADMIN_URL;
    if (!url) throw new Error("PG_LOCAL_ADMIN_URL is set by the project's global setup");
    await withClient(url, async (c) => {
      const values = ["x'y", "back\\slash", "-- not a comment", "é ＝ 1", "$1", -5, 2.5];
      const { rows } = await c.query<{
        a: string;
        b: string;
        c: string;
        d: string;
        e: string;
        f: number;
        g: string;
      }>(
        inlineSql(
          "SELECT $1::text a, $2::text b, $3::text c, $4::text d, $5::text e, 3-$6 f, $7::numeric::text g",
          values,
        ),
      );
      expect(rows[0]).toEqual({
        a: "x'y",
        b: "back\\slash",
        c: "-- not a comment",
        d: "é ＝ 1",
        e: "$1",
        f: 8,
        g: "2.5",
      });
    });
  });
});
