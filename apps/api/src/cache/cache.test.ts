import { describe, expect, it } from "vitest";
import { cacheLookups, createCache } from "./cache.ts";

function setup() {
  let clock = 0;
  let computed = 0;
  let release: (() => void) | undefined;
  const cache = createCache<number>({ ttlMs: 1000, staleMs: 1000, now: () => clock });
  const compute = () =>
    new Promise<number>((resolve) => {
      computed++;
      const value = computed;
      release = () => resolve(value);
    });
  const settle = async () => {
    release?.();
    await new Promise((r) => setImmediate(r));
  };
  return { cache, compute, settle, tick: (ms: number) => (clock += ms), computed: () => computed };
}

describe("createCache", () => {
  it("shares one computation between concurrent misses and serves it while fresh", async () => {
    const t = setup();
    const a = t.cache.get("k", t.compute);
    const b = t.cache.get("k", t.compute);
    await t.settle();
    expect([await a, await b]).toEqual([1, 1]);
    t.tick(999);
    expect(await t.cache.get("k", t.compute)).toBe(1);
    expect(t.computed()).toBe(1);
  });

  it("serves a stale value at once while one refresh runs, then the new value", async () => {
    const t = setup();
    const first = t.cache.get("k", t.compute);
    await t.settle();
    await first;
    t.tick(1500);
    expect(await t.cache.get("k", t.compute)).toBe(1);
    expect(await t.cache.get("k", t.compute)).toBe(1);
    expect(t.computed()).toBe(2);
    await t.settle();
    expect(await t.cache.get("k", t.compute)).toBe(2);
  });

  it("waits for the computation when the value is older than twice the TTL, or after clear()", async () => {
    const t = setup();
    const first = t.cache.get("k", t.compute);
    await t.settle();
    await first;
    t.tick(2000);
    const old = t.cache.get("k", t.compute);
    await t.settle();
    expect(await old).toBe(2);
    t.cache.clear();
    const cleared = t.cache.get("k", t.compute);
    await t.settle();
    expect(await cleared).toBe(3);
  });

  it("does not keep a value computed across a clear(), nor a failure", async () => {
    const t = setup();
    const racing = t.cache.get("k", t.compute);
    t.cache.clear();
    await t.settle();
    expect(await racing).toBe(1);
    const next = t.cache.get("k", t.compute);
    await t.settle();
    expect(await next).toBe(2);
    const failing = createCache<number>({ ttlMs: 1000 });
    await expect(failing.get("k", () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await failing.get("k", async () => 7)).toBe(7);
  });

  it("answers a caller that wants a newer value with a new computation (or the one under way)", async () => {
    const t = setup();
    const first = t.cache.get("k", t.compute);
    await t.settle();
    await first;
    t.tick(100);
    expect(await t.cache.get("k", t.compute, { maxAgeMs: 500 })).toBe(1);
    const a = t.cache.get("k", t.compute, { maxAgeMs: 0 });
    const b = t.cache.get("k", t.compute, { maxAgeMs: 0 });
    await t.settle();
    expect([await a, await b]).toEqual([2, 2]);
    expect(t.cache.peek("k")?.value).toBe(2);
  });

  it("keeps each value as long as the value itself says, and nothing with a TTL of 0", async () => {
    let clock = 0;
    const byValue = createCache<boolean>({
      ttlMs: (present) => (present ? 30_000 : 1_000),
      now: () => clock,
    });
    let present = false;
    let calls = 0;
    const check = async () => {
      calls++;
      return present;
    };
    expect(await byValue.get("t", check)).toBe(false);
    clock += 999;
    expect(await byValue.get("t", check)).toBe(false);
    present = true;
    clock += 1;
    expect(await byValue.get("t", check)).toBe(true);
    clock += 29_000;
    expect(await byValue.get("t", check)).toBe(true);
    expect(calls).toBe(2);

    const flightsOnly = createCache<number>({ ttlMs: 0 });
    let n = 0;
    const slow = () => new Promise<number>((r) => setTimeout(() => r(++n), 5));
    expect(await Promise.all([flightsOnly.get("x", slow), flightsOnly.get("x", slow)])).toEqual([1, 1]);
    expect(await flightsOnly.get("x", slow)).toBe(2);
    expect(flightsOnly.peek("x")).toBeUndefined();
  });

  it("counts fresh hits, stale answers and misses per name, summed over the caches of that name", async () => {
    let clock = 0;
    const name = `test.${Math.random()}`;
    const a = createCache<number>({ name, ttlMs: 1000, staleMs: 1000, now: () => clock });
    const b = createCache<number>({ name, ttlMs: 1000, now: () => clock });
    const one = async () => 1;
    await a.get("k", one); // miss
    await a.get("k", one); // hit
    clock += 1500;
    await a.get("k", one); // stale, refreshed behind
    await b.get("k", one); // miss in the other cache of the same name
    expect(cacheLookups().get(name)).toEqual({ hits: 1, stale: 1, misses: 2 });
    createCache<number>({ ttlMs: 1000 }); // unnamed: not listed
    expect([...cacheLookups().keys()].every((k) => k.length > 0)).toBe(true);
  });

  it("runs one computation per key however often it is cleared: callers after a clear share one queued behind it", async () => {
    let running = 0;
    let most = 0;
    let calls = 0;
    const releases: (() => void)[] = [];
    const cache = createCache<number>({ ttlMs: 10_000 });
    const compute = () =>
      new Promise<number>((resolve) => {
        running++;
        most = Math.max(most, running);
        const value = ++calls;
        releases.push(() => {
          running--;
          resolve(value);
        });
      });
    const first = cache.get("k", compute);
    // An attacker's failed writes: a clear, then a read, a hundred times while the first computation runs.
    const after: Promise<number>[] = [];
    for (let i = 0; i < 100; i++) {
      cache.clear();
      after.push(cache.get("k", compute));
    }
    expect(calls).toBe(1);
    releases.shift()!();
    expect(await first).toBe(1);
    await new Promise((r) => setImmediate(r));
    // One follow-up computation for all hundred, started only once the first had ended.
    expect(calls).toBe(2);
    releases.shift()!();
    expect(new Set(await Promise.all(after))).toEqual(new Set([2]));
    expect(most).toBe(1);
    // Its value is kept: it started after the last clear.
    expect(await cache.get("k", compute)).toBe(2);
    expect(calls).toBe(2);
  });

  it("forgets the least recently used value when full, not every value", async () => {
    const cache = createCache<string>({ ttlMs: 60_000, maxEntries: 3 });
    let computed = 0;
    const value = (v: string) => async () => {
      computed++;
      return v;
    };
    for (const k of ["a", "b", "c"]) await cache.get(k, value(k));
    await cache.get("a", value("a")); // a is now the most recently used
    await cache.get("d", value("d")); // full: b goes
    expect(["a", "b", "c", "d"].map((k) => cache.peek(k)?.value)).toEqual(["a", undefined, "c", "d"]);
    expect(computed).toBe(4);
    // A flood of new keys evicts one entry per new key, never the whole cache at once.
    for (let i = 0; i < 2; i++) await cache.get(`x${i}`, value(`x${i}`));
    expect(cache.peek("d")?.value).toBe("d");
  });
});
