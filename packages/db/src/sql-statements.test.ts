import { describe, expect, it } from "vitest";
import { splitStatements } from "./sql-statements.ts";

describe("splitStatements", () => {
  it("splits at top-level semicolons only", () => {
    const script = [
      "-- a comment; with a semicolon",
      "CREATE TABLE t (a text DEFAULT 'x;y', \"b;c\" int);",
      "/* block; comment */ INSERT INTO t VALUES ('it''s; fine', 1);",
      "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;",
      "CREATE FUNCTION g() RETURNS int AS $body$ BEGIN RETURN 2; END $body$ LANGUAGE plpgsql",
      ";  -- only a comment after the last statement",
    ].join("\n");
    expect(splitStatements(script)).toEqual([
      "-- a comment; with a semicolon\nCREATE TABLE t (a text DEFAULT 'x;y', \"b;c\" int)",
      "/* block; comment */ INSERT INTO t VALUES ('it''s; fine', 1)",
      "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql",
      "CREATE FUNCTION g() RETURNS int AS $body$ BEGIN RETURN 2; END $body$ LANGUAGE plpgsql",
    ]);
  });

  it("drops empty and comment-only pieces", () => {
    expect(splitStatements(";;\n-- nothing\n/* at all */;")).toEqual([]);
    expect(splitStatements("SELECT 1")).toEqual(["SELECT 1"]);
  });
});
