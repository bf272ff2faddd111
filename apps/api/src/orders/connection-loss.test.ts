import {
  configFor,
  httpClient,
  type LocalWorkspace,
  startLocalWorkspace,
  startTestServer,
  type TestServer,
} from "@lakebase-orders/api/testing";
import { LOCAL_ADMIN } from "@lakebase-orders/config";
import { until } from "@lakebase-orders/lakebase-local/testing";
import { withClient } from "@lakebase-orders/pg-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FEED_LOCK } from "./writes/change-log.ts";

// The real path: HTTP -> tRPC -> orders store -> token-injected pool -> the local Lakebase front door.
let w: LocalWorkspace;
let server: TestServer;
let physical: string;

beforeAll(async () => {
  w = await startLocalWorkspace("connloss", { rows: 2000 });
  physical = w.local.physicalDatabase(w.names.instanceName, w.names.databaseName);
  server = await startTestServer(configFor(w, { DB_POOL_MAX: "16" }), { until: "ready" });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await w?.close();
});

/** What a Lakebase restart or failover does: every session of the app ends at once (57P01). */
const terminateAll = (where = "") =>
  withClient(w.local.adminUrl, async (c) => {
    const { rows } = await c.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
        WHERE datname = $1 AND usename = $2 AND pid <> pg_backend_pid() ${where}`,
      [physical, LOCAL_ADMIN],
    );
    return rows[0]?.n ?? 0;
  });

describe("orders reads when every connection is lost", () => {
  it("fails no read under 32 concurrent callers while all connections are terminated, round after round", async () => {
    const client = httpClient(server.url);
    const keys = (await client.orders.stream.query({ pageSize: 200 })).orders.map((o) => o.orderKey);
    let ok = 0;
    let terminated = 0;
    let rounds = 0;
    // At least 6 s, and on until enough reads met enough rounds to prove something: a slow machine does
    // fewer reads in 6 s (187 once, under load), which says nothing about the app. Bounded at 40 s.
    const started = Date.now();
    const going = () =>
      Date.now() - started < 6000 ||
      ((ok <= 200 || rounds <= 1 || terminated <= 16) && Date.now() - started < 40_000);
    const failures: string[] = [];
    // One restart's worth at a time: a round ends every connection at once, and the next one waits until
    // every caller has finished a read begun after it, so that no read meets two rounds (one restart is one
    // event; a read retried once survives it), however slow the machine is.
    const caughtUp = new Array<number>(32).fill(0);
    const killer = (async () => {
      while (going()) {
        await new Promise((r) => setTimeout(r, 300));
        if (caughtUp.some((round) => round < rounds)) continue;
        terminated += await terminateAll();
        rounds++;
      }
    })();
    await Promise.all(
      Array.from({ length: 32 }, async (_, worker) => {
        for (let i = 0; going(); i++) {
          const startedIn = rounds;
          try {
            const key = keys[(worker * 31 + i) % keys.length] ?? 1;
            if (i % 3 === 2) {
              const page = await client.orders.list.query({
                page: 1 + (i % 5),
                pageSize: 10,
                includeCount: false,
              });
              if (page.orders.length !== 10) throw new Error("short page");
            } else {
              const order = await client.orders.byKey.query({ orderKey: key });
              if (order.orderKey !== key) throw new Error("wrong order");
            }
            ok++;
          } catch (error) {
            failures.push(error instanceof Error ? error.message : String(error));
          }
          caughtUp[worker] = startedIn;
        }
      }),
    );
    await killer;
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(200);
    expect(rounds).toBeGreaterThan(1);
    expect(terminated).toBeGreaterThan(16);
  }, 60_000);

  it("sends a write that lost its connection once more, and it is applied once", async () => {
    const client = httpClient(server.url);
    const [order] = (await client.orders.stream.query({ pageSize: 1 })).orders;
    if (!order) throw new Error("no order");
    const before = await client.orders.history.query({ orderKey: order.orderKey });
    const status = order.status === "F" ? "O" : "F";
    // Hold the change feed's lock so the write waits inside its statement (its override and history rows
    // written, not committed), then cut its connection there. Nothing else waits for that lock (background
    // work reading the overlay table would, had the table been locked instead).
    await withClient(`${w.local.adminUrl.replace(/\/[^/]*$/, "")}/${physical}`, async (blocker) => {
      await blocker.query("BEGIN");
      await blocker.query(`SELECT pg_advisory_xact_lock(${FEED_LOCK})`);
      const write = client.orders.updateStatus
        .mutate({ orderKey: order.orderKey, status })
        .catch((e: unknown) => e);
      await until(
        () =>
          blocker.query(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event = 'advisory'",
            [physical],
          ),
        (r) => (r.rows[0] as { n: number }).n > 0,
      );
      expect(await terminateAll("AND wait_event = 'advisory'")).toBe(1);
      // The second attempt goes through once the lock is free (it waits up to 3 s for it).
      await blocker.query("ROLLBACK");
      expect(await write).toMatchObject({ orderKey: order.orderKey, status });
    });
    // The history (the truth) shows it once.
    const after = await client.orders.history.query({ orderKey: order.orderKey });
    expect(after.changes.length).toBe(before.changes.length + 1);
    expect(after.changes[0]).toMatchObject({ status, previousStatus: order.status });
  }, 30_000);
});
