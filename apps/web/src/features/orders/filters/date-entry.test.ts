import { describe, expect, it } from "vitest";
import { formatDate } from "../../../format.ts";
import { entryProblem, readDateEntry } from "./date-entry.ts";

describe("a date field's content", () => {
  it("sends nothing while a year is typed digit by digit, then the whole date", () => {
    // What Chromium's date field reports while "03151994" is typed into it.
    const steps = ["", "", "0001-03-15", "0019-03-15", "0199-03-15", "1994-03-15"];
    const sent = steps
      .map((value, i) => readDateEntry(value, i < 2))
      .flatMap((entry) => (entry.kind === "complete" ? [entry.value] : []));
    expect(sent).toEqual(["1994-03-15"]);
  });

  it("tells a cleared field from a half-typed one", () => {
    expect(readDateEntry("", false)).toEqual({ kind: "empty" });
    expect(readDateEntry("", true)).toEqual({ kind: "typing" });
  });

  it("holds back dates the API refuses, and says why", () => {
    expect(readDateEntry("1850-01-01", false)).toEqual({ kind: "out-of-range", value: "1850-01-01" });
    expect(readDateEntry("1995-02-30", false)).toEqual({ kind: "typing" });
    expect(readDateEntry("1900-01-01", false)).toEqual({ kind: "complete", value: "1900-01-01" });
    expect(entryProblem(readDateEntry("1850-01-01", false), formatDate)).toBe(
      "Not applied: choose a date from Jan 1, 1900 to Dec 31, 2199.",
    );
    expect(entryProblem(readDateEntry("", true), formatDate)).toMatch(/four-digit year/);
    expect(entryProblem(readDateEntry("1994-03-15", false), formatDate)).toBeNull();
  });
});
