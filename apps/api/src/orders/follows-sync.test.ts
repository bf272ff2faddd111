import { startTestServer, type TestServer } from "@lakebase-orders/api/testing";
import { LOCAL_ADMIN, loadConfig } from "@lakebase-orders/config";
import { type LakebaseLocal, startLakebaseLocal } from "@lakebase-orders/lakebase-local";
import { withClient } from "@lakebase-orders/pg-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Issue 25: counts, stats and the trend follow a synced-table update (a CONTINUOUS pipeline applying the
// source's changes) within a bound, and never present figures from before it as fresh. The bound here:
// one rollup check (1 s in this test, ORDERS_ROLLUP_CHECK_SECONDS; 5 s by default) to notice the update,
// then the rebuild (at most once per ORDERS_ROLLUP_MIN_REBUILD_SECONDS: 1 s here, 60 s by default) during
// which the figures say `stale: true`. The trend is dropped at the check that notices it. The check notices
// the update through PostgreSQL's table statistics, which the pipeline's session may report up to 10 s after
// its commit (PGSTAT_IDLE_INTERVAL): usually at once, at worst that much later, and until then the figures
// are dated before the update, never after it.
const FOLLOW_BOUND_MS = 1000 + 10_000 + 3000;
const NAMES = { instanceName: "i-follows", catalogName: "c_follows", databaseName: "d_follows" };
let local: LakebaseLocal;
let server: TestServer;
let physicalUrl: string;

beforeAll(async () => {
  const adminUrl = process.env.PG_LOCAL_ADMIN_URL;
  local = await startLakebaseLocal({
    ...(adminUrl ? { postgres: { adminUrl } } : {}),
    timings: { instanceStartMs: 50, instanceDeleteMs: 50, pipelineStepMs: 30, continuousIntervalMs: 300 },
    sourceRows: 2000,
    seed: { ...NAMES, syncedTable: "public.orders_synced", schedulingPolicy: "CONTINUOUS" },
  });
  const u = new URL(local.adminUrl);
  u.pathname = `/${local.physicalDatabase(NAMES.instanceName, NAMES.databaseName)}`;
  physicalUrl = u.toString();
  server = await startTestServer(
    loadConfig({
      DATABRICKS_HOST: local.restUrl,
      DATABRICKS_TOKEN: local.workspaceToken,
      LAKEBASE_INSTANCE_NAME: NAMES.instanceName,
      LAKEBASE_CATALOG_NAME: NAMES.catalogName,
      LAKEBASE_DATABASE_NAME: NAMES.databaseName,
      PGPORT: String(local.pgPort),
      PGSSLROOTCERT: local.caFile,
      LOCAL_IDENTITY: LOCAL_ADMIN,
      ORDERS_ROLLUP_CHECK_SECONDS: "1",
      ORDERS_ROLLUP_MIN_REBUILD_SECONDS: "1",
      RATE_LIMIT_READS_PER_MINUTE: "0",
    }),
    { until: "ready" },
  );
}, 90_000);

afterAll(async () => {
  await server?.close();
  await local?.stop();
});

const trpc = async <T>(procedure: string, input: unknown): Promise<T> => {
  const res = await fetch(
    `${server.url}/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`,
  );
  return ((await res.json()) as { result: { data: T } }).result.data;
};

interface Figures {
  count: { totalOrders: number; computedAt: string; stale: boolean };
  stats: { totalOrders: number; computedAt: string; stale: boolean };
  trendF: number;
  trendAt: string;
}

async function figures(): Promise<Figures> {
  const [count, stats, trend] = await Promise.all([
    trpc<Figures["count"]>("orders.count", { status: "F" }),
    trpc<Figures["stats"]>("orders.stats", { status: "F" }),
    trpc<{ computedAt: string; months: { cells: { key: string; orders: number }[] }[] }>("orders.trend", {}),
  ]);
  const trendF = trend.months.reduce((n, m) => n + (m.cells.find((c) => c.key === "F")?.orders ?? 0), 0);
  return { count, stats, trendF, trendAt: trend.computedAt };
}

describe("figures while the synced table moves", () => {
  it("follow a CONTINUOUS update within the bound, and say so while they are from before it", async () => {
    // The rollup is built (the counts are its own, not stale).
    let now = await figures();
    for (let i = 0; i < 100 && (now.count.stale || now.trendF !== now.count.totalOrders); i++) {
      await new Promise((r) => setTimeout(r, 100));
      now = await figures();
    }
    const before = now.count.totalOrders;
    const keys = await withClient(physicalUrl, async (c) =>
      (
        await c.query<{ k: string }>(
          "SELECT o_orderkey::text AS k FROM public.orders_synced WHERE o_orderstatus = 'O' ORDER BY o_orderkey LIMIT 25",
        )
      ).rows.map((r) => Number(r.k)),
    );
    await local.source.update({ keys, set: { o_orderstatus: "F" } });
    // When the pipeline has applied it (the table itself says so).
    const applied = async () =>
      withClient(physicalUrl, async (c) =>
        Number(
          (
            await c.query<{ n: string }>(
              "SELECT count(*)::text AS n FROM public.orders_synced WHERE o_orderkey = ANY($1) AND o_orderstatus = 'F'",
              [keys],
            )
          ).rows[0]!.n,
        ),
      );
    while ((await applied()) < keys.length) await new Promise((r) => setTimeout(r, 50));
    const appliedAt = Date.now();

    const seen: string[] = [];
    let followedAfter: number | undefined;
    while (Date.now() - appliedAt < FOLLOW_BOUND_MS + 2000) {
      const f = await figures();
      seen.push(
        `${Date.now() - appliedAt}ms count ${f.count.totalOrders}${f.count.stale ? " stale" : ""} trend ${f.trendF}`,
      );
      for (const [what, value, at, stale] of [
        ["count", f.count.totalOrders, f.count.computedAt, f.count.stale],
        ["stats", f.stats.totalOrders, f.stats.computedAt, f.stats.stale],
        ["trend", f.trendF, f.trendAt, false],
      ] as const) {
        // A figure from before the update is either flagged stale or dated before it was applied.
        if (value === before && !stale)
          expect(Date.parse(at), `${what}: ${seen.join("; ")}`).toBeLessThan(appliedAt);
        else if (value !== before) expect(value, `${what}: ${seen.join("; ")}`).toBe(before + keys.length);
      }
      if (
        f.count.totalOrders === before + keys.length &&
        !f.count.stale &&
        f.stats.totalOrders === before + keys.length &&
        f.trendF === before + keys.length
      ) {
        followedAfter = Date.now() - appliedAt;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    console.info(`figures followed the update ${followedAfter} ms after it was applied`);
    expect(followedAfter, seen.join("; ")).toBeDefined();
    expect(followedAfter!).toBeLessThan(FOLLOW_BOUND_MS);
  });
});
