import {
  configFor,
  httpClient,
  type LocalWorkspace,
  startLocalWorkspace,
  startTestServer,
  type TestServer,
} from "@lakebase-orders/api/testing";
import { until } from "@lakebase-orders/lakebase-local/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Tokens of 30 s: the pool recycles connections and the token is due for refresh at 15 s, inside the
// throttled window below, so new logins and a refresh meet the throttling. The SDK's patience (and every
// Databricks call's deadline) is 10 s: a read that waited on Databricks would take at least that long.
// Latencies are not compared here (the machine is shared): bench/reliability.ts measures them.
const TOKEN_TTL_SECONDS = 30;
const DATABRICKS_TIMEOUT_SECONDS = 10;
const THROTTLED = [
  { method: "POST", path: "/api/2.0/database/credentials" },
  { method: "GET", path: "/api/2.0/database/instances/*" },
  { method: "GET", path: "/api/2.0/database/catalogs/*" },
  { method: "GET", path: "/api/2.0/database/synced_tables/**" },
];

let w: LocalWorkspace;
let server: TestServer;

beforeAll(async () => {
  w = await startLocalWorkspace("throttle", { tokenTtlSeconds: TOKEN_TTL_SECONDS });
  server = await startTestServer(
    configFor(w, { DATABRICKS_TIMEOUT_SECONDS: String(DATABRICKS_TIMEOUT_SECONDS) }),
    // Status goes stale after 100 ms: every read would need Databricks if reads waited on it.
    { lakebase: { statusCacheMs: 100, pollIntervalMs: 100 }, until: "ready" },
  );
}, 60_000);

afterAll(async () => {
  w?.local.faults.clear();
  await server?.close();
  await w?.close();
});

/** `workers` callers reading for `ms`: every latency, every failure. */
async function readFor(ms: number, workers = 8) {
  const client = httpClient(server.url);
  const keys = (await client.orders.stream.query({ pageSize: 100 })).orders.map((o) => o.orderKey);
  const latencies: number[] = [];
  const failures: string[] = [];
  const stopAt = Date.now() + ms;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      for (let i = 0; Date.now() < stopAt; i++) {
        const started = performance.now();
        try {
          await client.orders.byKey.query({ orderKey: keys[(worker + i * 7) % keys.length] ?? 1 });
          latencies.push(performance.now() - started);
        } catch (error) {
          failures.push(error instanceof Error ? error.message : String(error));
        }
      }
    }),
  );
  return { latencies, failures, max: Math.max(...latencies) };
}

describe("orders reads while the workspace API throttles", () => {
  it("keeps serving reads without waiting on Databricks; the console and the log show the throttling", async () => {
    const quiet = await readFor(2000);
    expect(quiet.failures).toEqual([]);

    const calls = () => Object.values(w.local.counters().routes).reduce((a, b) => a + b, 0);
    const before = calls();
    // 429 on every call for 13 s, longer than the SDK's patience; an instance API that hangs on top.
    for (const route of THROTTLED) w.local.faults.failNext(route, 429, 1_000_000);
    w.local.faults.addLatency({ method: "GET", path: "/api/2.0/database/instances/*" }, 30_000);
    const throttled = await readFor(13_000);
    expect(throttled.failures).toEqual([]);
    expect(throttled.latencies.length).toBeGreaterThan(50);
    // A read that waited on Databricks would take at least its 10 s deadline; none comes near it.
    expect(throttled.max).toBeLessThan(5000);
    // The throttled APIs were really called meanwhile (token refresh, status refresh), and refused.
    expect(calls() - before).toBeGreaterThan(4);

    // The console shows the last snapshot, marked, at once rather than a stall or an error.
    const client = httpClient(server.url);
    const started = performance.now();
    const status = await client.lakebase.status.query();
    expect(performance.now() - started).toBeLessThan(5000);
    expect(status.instance?.state).toBe("AVAILABLE");
    expect(status.api.ok).toBe(false);
    expect(status.api.error).toMatch(/unavailable|did not answer|429|REQUEST_LIMIT_EXCEEDED/i);
    expect(server.logs.some((l) => l.includes('"msg":"databricks_status_failing"'))).toBe(true);

    w.local.faults.clear();
    const recovered = await until(
      () => client.lakebase.status.query(),
      (s) => s.api.ok,
    );
    expect(recovered.api.failingSince).toBeNull();
  }, 60_000);
});
