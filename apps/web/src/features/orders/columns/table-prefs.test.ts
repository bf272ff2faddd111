import { afterEach, describe, expect, it } from "vitest";
import { readTablePrefs, rememberTablePrefs } from "./table-prefs.ts";

afterEach(() => localStorage.clear());

describe("remembered table layout", () => {
  it("remembers columns and density, merges changes, and forgets what goes back to the default", () => {
    expect(readTablePrefs()).toBeNull();
    rememberTablePrefs({ cols: ["totalPrice", "orderKey"] });
    rememberTablePrefs({ density: "compact" });
    expect(readTablePrefs()).toEqual({ cols: ["totalPrice", "orderKey"], density: "compact" });
    // The same object while nothing changed (a stable snapshot for React).
    expect(readTablePrefs()).toBe(readTablePrefs());
    rememberTablePrefs({ density: "comfortable" });
    expect(readTablePrefs()).toEqual({ cols: ["totalPrice", "orderKey"] });
    rememberTablePrefs({ cols: undefined });
    expect(readTablePrefs()).toBeNull();
    expect(localStorage.getItem("lakebase-orders:table")).toBeNull();
  });

  it("ignores what it cannot trust: unknown columns, bad JSON, other values", () => {
    localStorage.setItem(
      "lakebase-orders:table",
      JSON.stringify({ cols: ["nope", "status", "status"], density: "x" }),
    );
    expect(readTablePrefs()).toEqual({ cols: ["status"] });
    localStorage.setItem("lakebase-orders:table", "{not json");
    expect(readTablePrefs()).toBeNull();
    localStorage.setItem("lakebase-orders:table", JSON.stringify({ cols: "status" }));
    expect(readTablePrefs()).toBeNull();
  });
});
