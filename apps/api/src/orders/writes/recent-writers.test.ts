import { describe, expect, it } from "vitest";
import { createRecentWriters } from "./recent-writers.ts";
import { parseLsn, type ReplicaPosition } from "./replica-position.ts";

/** A secondary whose replay position the test sets (the real one is read by replica-position.ts). */
function secondary(initial: string | null) {
  let position: bigint | null = initial === null ? null : parseLsn(initial);
  let asked = 0;
  const replica: ReplicaPosition = {
    known: () => position,
    refresh: () => {
      asked++;
    },
  };
  return {
    replica,
    replay: (lsn: string) => {
      position = parseLsn(lsn);
    },
    asked: () => asked,
  };
}

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

  it("keeps a writer on the primary until the secondary has replayed their change, however long it lags", () => {
    let t = 0;
    const s = secondary("0/FF");
    const w = createRecentWriters(1000, () => t, s.replica);
    w.wrote("ada", "0/1A0");
    t = 60_000;
    expect(w.isRecent("ada")).toBe(true);
    expect(s.asked()).toBeGreaterThan(0);
    s.replay("0/19F");
    expect(w.isRecent("ada")).toBe(true);
    s.replay("0/1A0");
    expect(w.isRecent("ada")).toBe(false);
    // A later change starts over; positions compare as numbers ("1/0" is past "0/FFFFFFFF").
    w.wrote("ada", "1/0");
    s.replay("0/FFFFFFFF");
    expect(w.isRecent("ada")).toBe(true);
    s.replay("1/10");
    expect(w.isRecent("ada")).toBe(false);
  });

  it("lets a caught-up secondary serve the writer at once, without waiting for the window", () => {
    const s = secondary("5/0");
    const w = createRecentWriters(10_000, () => 0, s.replica);
    w.wrote("ada", "4/FFFF");
    expect(w.isRecent("ada")).toBe(false);
  });

  it("falls back to the window when the secondary cannot say how far it is", () => {
    let t = 0;
    const w = createRecentWriters(1000, () => t, secondary(null).replica);
    w.wrote("ada", "0/10");
    t = 999;
    expect(w.isRecent("ada")).toBe(true);
    t = 1000;
    expect(w.isRecent("ada")).toBe(false);
  });

  it("keeps a writer whose change's position is on its way on the primary until it arrives", () => {
    let t = 0;
    const s = secondary("0/500");
    const w = createRecentWriters(1000, () => t, s.replica);
    w.pending("ada");
    t = 1500;
    expect(w.isRecent("ada")).toBe(true);
    w.wrote("ada", "0/400");
    expect(w.isRecent("ada")).toBe(false);
  });

  it("says whether the secondary has yet to replay a presented position, asking again meanwhile", () => {
    const s = secondary("0/1A0");
    const w = createRecentWriters(1000, () => 0, s.replica);
    expect(w.behind("0/1A0")).toBe(false);
    expect(w.behind("0/1A1")).toBe(true);
    expect(s.asked()).toBe(1);
    s.replay("0/200");
    expect(w.behind("0/1A1")).toBe(false);
    // No secondary, or one that cannot say (not a hot standby): nothing to wait for here.
    expect(createRecentWriters(1000, () => 0).behind("0/1")).toBe(false);
    expect(createRecentWriters(1000, () => 0, secondary(null).replica).behind("0/1")).toBe(false);
  });
});
