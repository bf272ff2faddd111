import { type Harness, namesFor, type Setup, setUp, startHarness } from "@lakebase-orders/api/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Server-sent event streams (the admin's progress, `{ follow: true }` stays open) are capped per identity
// and in total: each holds a connection and the status poller's attention as long as its client likes.
let h: Harness;
let s: Setup;

beforeAll(async () => {
  h = await startHarness("api_streams");
  s = setUp(h, namesFor("streams"));
}, 120_000);

afterAll(async () => {
  await s?.service.close();
  await h?.close();
});

const input = encodeURIComponent(JSON.stringify({ follow: true }));
/** Opens the progress stream as `email` and waits for its first bytes. */
async function open(email: string) {
  const res = await s.app.request(`http://api.test/api/trpc/lakebase.progress?input=${input}`, {
    headers: { "X-Forwarded-Email": email },
  });
  if (res.status !== 200) return { status: res.status, res, close: async () => undefined };
  const reader = res.body!.getReader();
  await reader.read();
  return { status: 200, res, close: () => reader.cancel() };
}

describe("event streams", () => {
  it("are capped per identity (4 open at once, 429 with Retry-After for a fifth), freed when one closes", async () => {
    const mine = await Promise.all(Array.from({ length: 4 }, () => open("ada@example.com")));
    expect(mine.map((m) => m.status)).toEqual([200, 200, 200, 200]);
    const fifth = await open("ada@example.com");
    expect(fifth.status).toBe(429);
    expect(fifth.res.headers.get("retry-after")).toBe("10");
    // Someone else is not held up by it.
    const bob = await open("bob@example.com");
    expect(bob.status).toBe(200);
    await mine[0]!.close();
    const again = await open("ada@example.com");
    expect(again.status).toBe(200);
    for (const m of [...mine.slice(1), bob, again]) await m.close();
  });

  it("are capped in total (64 open in the process), whoever asks", async () => {
    const opened = [];
    for (let i = 0; i < 16; i++) {
      for (let j = 0; j < 4; j++) opened.push(await open(`user${i}@example.com`));
    }
    expect(opened.every((o) => o.status === 200)).toBe(true);
    const one = await open("late@example.com");
    expect(one.status).toBe(429);
    await opened[0]!.close();
    const next = await open("late@example.com");
    expect(next.status).toBe(200);
    for (const o of [...opened.slice(1), next]) await o.close();
  });
});
