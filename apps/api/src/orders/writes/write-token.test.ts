import { describe, expect, it } from "vitest";
import { formatWriteToken, laterToken, parseWriteToken } from "./write-token.ts";

describe("write tokens", () => {
  it("read back what they write, with or without a WAL position", () => {
    for (const text of ["42@16/B374D848", "1", "9007199254740@0/0"]) {
      const token = parseWriteToken(text);
      expect(token).not.toBeNull();
      expect(formatWriteToken(token!)).toBe(text);
    }
    expect(parseWriteToken(" 7@a/b ")).toEqual({ seq: 7, lsn: "A/B" });
  });

  it("refuse anything else", () => {
    for (const text of [
      "",
      "0",
      "-1",
      "x",
      "1.5",
      "12@",
      "12@zz/1",
      "12@1/2/3",
      "1@123456789/1",
      "1".repeat(16),
    ]) {
      expect(parseWriteToken(text)).toBeNull();
    }
  });

  it("combine into the later number and the later position, each on its own", () => {
    const a = { seq: 5, lsn: "1/0" };
    const b = { seq: 7, lsn: "0/FFFFFFFF" };
    expect(laterToken(a, b)).toEqual({ seq: 7, lsn: "1/0" });
    expect(laterToken(null, b)).toBe(b);
    expect(laterToken(a, null)).toBe(a);
    expect(laterToken({ seq: 9, lsn: null }, a)).toEqual({ seq: 9, lsn: "1/0" });
  });
});
