// The app on a Lakebase Autoscaling endpoint that really scales to zero (the local Lakebase stops the
// compute's postmaster after `suspendAfterMs` idle and wakes it at the next login): 20 suspend/wake cycles
// under light load, every request answered; readiness says "waking" while the compute comes back, and
// "ready" once it has. Figures go to stderr (`scale-to-zero:` lines).
import { startTestServer, type TestServer } from "@lakebase-orders/api/testing";
import { type Env, loadConfig } from "@lakebase-orders/config";
import { type LakebaseLocal, startLakebaseLocal } from "@lakebase-orders/lakebase-local";
import { until } from "@lakebase-orders/lakebase-local/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const SUSPEND_AFTER_MS = 400;
const WAKE_DELAY_MS = 300;
const CYCLES = 20;

let local: LakebaseLocal;
let server: TestServer;
let endpoint: string;

function env(): Env {
  return {
    DATABRICKS_HOST: local.restUrl,
    DATABRICKS_TOKEN: local.workspaceToken,
    // As Databricks Apps binds an app to a `postgres` resource (the host is looked up from the endpoint here).
    LAKEBASE_ENDPOINT: endpoint,
    PGSSLROOTCERT: local.caFile,
    LAKEBASE_CATALOG_NAME: "s2z",
    LAKEBASE_DATABASE_NAME: "orders",
    // No background queries of the app's own in these tests: only requests wake the compute.
    ORDERS_ROLLUP_CHECK_SECONDS: "3600",
    ORDERS_INDEXES: "off",
    RATE_LIMIT_READS_PER_MINUTE: "0",
    RATE_LIMIT_WRITES_PER_MINUTE: "0",
  };
}

const suspensions = () => local.counters().computes[endpoint]?.suspensions ?? 0;

beforeAll(async () => {
  local = await startLakebaseLocal({
    flavor: "autoscaling",
    suspendAfterMs: SUSPEND_AFTER_MS,
    wakeDelayMs: WAKE_DELAY_MS,
    sourceRows: 3000,
    timings: { instanceStartMs: 0, instanceDeleteMs: 0, pipelineStepMs: 0 },
    seed: {
      instanceName: "s2z",
      catalogName: "s2z",
      databaseName: "orders",
      syncedTable: "public.orders_synced",
    },
  });
  endpoint = local.endpointName ?? "";
  server = await startTestServer(loadConfig(env()), { until: "ready" });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await local?.stop();
});

describe("scale to zero", () => {
  it(`rides through ${CYCLES} suspend/wake cycles under light load: no request fails`, async () => {
    const sample = (await (await fetch(`${server.url}/api/v1/orders/sample`)).json()) as {
      sample_order_keys: number[];
    };
    const keys = sample.sample_order_keys;
    const urls = (i: number) => {
      const key = keys[i % keys.length];
      const q = (o: object) => encodeURIComponent(JSON.stringify(o));
      return [
        // A named prepared statement: prepared again on each new session after a wake.
        `/api/trpc/orders.byKey?input=${q({ orderKey: key })}`,
        `/api/trpc/orders.list?input=${q({ pageSize: 5 })}`,
        `/api/v1/orders/${key}`,
        `/api/trpc/orders.history?input=${q({ orderKey: key })}`,
      ][i % 4];
    };
    const failures: string[] = [];
    const firstAfterWake: number[] = [];
    let sent = 0;
    const send = async () => {
      const i = sent++;
      const started = performance.now();
      const res = await fetch(`${server.url}${urls(i)}`);
      const ms = performance.now() - started;
      if (res.status !== 200) failures.push(`${urls(i)}: ${res.status} ${(await res.text()).slice(0, 200)}`);
      else await res.arrayBuffer();
      return ms;
    };
    const startedAt = suspensions();
    const wakesBefore = local.counters().computes[endpoint]?.wakes ?? 0;
    // Light load whose gaps straddle the suspend timeout, so that requests also land while the compute
    // goes down; after each confirmed suspension, the next request is the one that wakes it (timed).
    while (suspensions() < startedAt + CYCLES) {
      const before = suspensions();
      await Promise.all([send(), ...(sent % 3 === 0 ? [send()] : [])]);
      const gap = SUSPEND_AFTER_MS * (0.8 + Math.random() * 1.2);
      await new Promise((r) => setTimeout(r, gap));
      if (suspensions() > before) firstAfterWake.push(await send());
    }
    const counters = local.counters().computes[endpoint];
    const sorted = [...firstAfterWake].sort((a, b) => a - b);
    const p50 = sorted[Math.floor(sorted.length / 2)] ?? 0;
    process.stderr.write(
      `scale-to-zero: ${CYCLES} cycles (suspend after ${SUSPEND_AFTER_MS} ms, wake delay ${WAKE_DELAY_MS} ms): ` +
        `${sent} requests, ${failures.length} failed; suspensions ${(counters?.suspensions ?? 0) - startedAt}, ` +
        `wakes ${(counters?.wakes ?? 0) - wakesBefore}, last wake ${counters?.lastWakeMs} ms; first request after a suspension ` +
        `p50 ${p50.toFixed(0)} ms, max ${(sorted.at(-1) ?? 0).toFixed(0)} ms (n=${sorted.length})\n`,
    );
    expect(failures).toEqual([]);
    expect(firstAfterWake.length).toBeGreaterThan(0);
  }, 240_000);

  it("lets an idle app's endpoint suspend, and readiness says waking (not down) while it comes back", async () => {
    // A ping deadline shorter than a wake, so that the probe meets the compute while it starts.
    const probe = await startTestServer(loadConfig(env()), { until: "ready", readyTimeoutMs: 100 });
    try {
      const before = suspensions();
      const idleSince = Date.now();
      await until(
        async () => suspensions(),
        (n) => n > before,
        20_000,
      );
      process.stderr.write(
        `scale-to-zero: idle app, suspended ${Date.now() - idleSince} ms after its last query\n`,
      );
      const waking = await fetch(`${probe.url}/api/ready`);
      expect(waking.status).toBe(503);
      expect(waking.headers.get("retry-after")).toBe("1");
      expect(await waking.json()).toMatchObject({ status: "waking" });
      // The ping went on and woke it: ready again.
      const ready = await until(
        () => fetch(`${probe.url}/api/ready`),
        (r) => r.status === 200,
        10_000,
      );
      expect(await ready.json()).toEqual({ status: "ready" });
    } finally {
      await probe.close();
    }
  }, 120_000);
});
