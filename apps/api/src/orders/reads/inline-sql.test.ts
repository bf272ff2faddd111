import { describe, expect, it } from "vitest";
import { inlineSql, literal } from "./inline-sql.ts";

describe("inlineSql", () => {
  it("inlines values as SQL literals, quotes doubled, backslashes in the E'' form, other types refused", () => {
    expect(inlineSql("a = $1 AND b >= $2::date AND c = $3 AND d = $1", ["x'y", "1995-01-01", 3])).toBe(
      "a = 'x''y' AND b >= '1995-01-01'::date AND c = 3 AND d = 'x''y'",
    );
    expect(() => inlineSql("a = $2", ["x"])).toThrow(RangeError);
    expect(literal("a\\b'")).toBe("E'a\\\\b'''");
    expect(() => literal({})).toThrow(TypeError);
    expect(() => literal(Number.NaN)).toThrow(TypeError);
    expect(() => literal("nul\0")).toThrow(TypeError);
  });
});
