import { describe, expect, it } from "vitest";
import { createRecentWriters } from "./recent-writers.ts";

describe("createRecentWriters", () => {
  it("remembers a writer for the window only, and forgets expired ones", () => {
    let t = 0;
    const w = createRecentWriters(1000, () => t);
    expect(w.isRecent("ada")).toBe(false);
    w.wrote("ada");
    t = 999;
    expect(w.isRecent("ada")).toBe(true);
    expect(w.isRecent("bob")).toBe(false);
    t = 1000;
    expect(w.isRecent("ada")).toBe(false);
  });
});
