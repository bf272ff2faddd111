import { randomUUID } from "node:crypto";
import net from "node:net";
import { type ApiProcess, startApiProcess } from "@lakebase-orders/api/testing";
import { createDb } from "@lakebase-orders/db";
import { type LocalPostgres, startLocalPostgres, startStandby, withClient } from "@lakebase-orders/pg-local";
import { loadOrders } from "@lakebase-orders/tpch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncedTable } from "../tables.ts";
import { runStatusChange, statusChangeStatement } from "./status-change.ts";

// Issue 25, "Consistency stops at the container wall": two app processes on one database, with nothing
// between them but PostgreSQL (no cluster bus), and a real readable secondary: a hot standby that applies
// the primary's WAL 6 s late. The rollup's own check is slowed to a minute, so whatever one process
// learns of the other's writes within seconds came through the change feed.

const APPLY_DELAY_MS = 6000;
type Standby = Awaited<ReturnType<typeof startStandby>>;
let primary: LocalPostgres;
let standby: Standby;
let a: ApiProcess;
let b: ApiProcess;
let notices: NoticeDelay;
const sql = <R extends object>(text: string, values: unknown[] = []) =>
  withClient(primary.url("orders"), async (c) => (await c.query<R>(text, values)).rows);

beforeAll(async () => {
  primary = await startLocalPostgres({ fast: true, replication: true });
  await withClient(primary.url(), (c) => c.query("CREATE DATABASE orders"));
  const db = createDb({ connectionString: primary.url("orders"), max: 1 });
  const client = await db.pool.connect();
  try {
    await loadOrders(client, { rows: 3000, seed: 11 });
  } finally {
    client.release();
    await db.disconnect();
  }
  standby = await startStandby({ primary, applyDelayMs: APPLY_DELAY_MS, fast: true });
  // Neither container is ready (nor follows the change feed) until the standby has replayed the migrations:
  // with its replay paused, a change can be committed after a container loaded the rollup's overrides (at
  // its first check, before it is ready) and before the feed's first look (once it is ready).
  await withClient(standby.url(), (c) => c.query("SELECT pg_wal_replay_pause()"));
  const env = {
    LAKEBASE_PG_URL: primary.url("orders"),
    LAKEBASE_PG_READ_URL: standby.url("orders"),
    TRUST_FORWARDED_HEADERS: "true",
    ORDERS_ROLLUP_CHECK_SECONDS: "60",
    RATE_LIMIT_READS_PER_MINUTE: "0",
    RATE_LIMIT_WRITES_PER_MINUTE: "0",
  };
  a = await startApiProcess(env, "container-a");
  // B hears the change feed's notices over a link the tests can slow down (everything else is direct).
  notices = await delayNotices(primary.url("orders"));
  b = await startApiProcess({ ...env, LAKEBASE_PG_URL: notices.url }, "container-b");
  await Promise.race([a, b].map((p) => p.waitForLog((l) => l.msg === "orders_rollup_loaded", 60_000)));
  const early = await anOrder("O");
  await changeStatus(early.key, "F");
  readyBeforeTheChange = [a, b].some((p) => p.logs.some((l) => l.msg === "database ready"));
  await withClient(standby.url(), (c) => c.query("SELECT pg_wal_replay_resume()"));
  for (const p of [a, b]) {
    await p.waitForLog((l) => l.msg === "database ready", 60_000);
    await untilOk(async () => (await count(p, {})).totalOrders === 3000);
  }
}, 180_000);

let readyBeforeTheChange = true;

/** A status change through the product's own statement, by a process that is neither container. */
async function changeStatus(orderKey: number, status: string) {
  const db = createDb({ connectionString: primary.url("orders"), max: 1 });
  try {
    const table = syncedTable({
      fullName: "c.public.orders_synced",
      catalog: "c",
      schema: "public",
      table: "orders_synced",
    });
    const result = await runStatusChange(db.prisma, statusChangeStatement(table), {
      orderKey,
      status,
      actor: "early@example.com",
      requestId: undefined,
      at: new Date(),
      writeId: randomUUID(),
    });
    if (result.kind !== "committed") throw new Error(`change of ${orderKey}: ${result.kind}`);
    return result.change;
  } finally {
    await db.disconnect();
  }
}

interface NoticeDelay {
  url: string;
  /** What the primary sends the change feed's session reaches it this much later (in order). */
  set(ms: number): void;
  /** Resolves once everything held back so far has been passed on. */
  drained(): Promise<void>;
  close(): void;
}

/**
 * A TCP relay to the primary that delays what the primary sends to the change feed's listening session (the
 * one whose login names itself "... changes"), as a slow or congested link would: its notices arrive late,
 * while the container's pooled reads and writes go at full speed.
 */
async function delayNotices(target: string): Promise<NoticeDelay> {
  const upstream = new URL(target);
  let delayMs = 0;
  let lastDue = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const server = net.connect(Number(upstream.port), upstream.hostname);
    sockets.add(client).add(server);
    let feed: boolean | undefined;
    let due = 0;
    client.on("data", (chunk) => {
      // The startup message (no TLS here) carries application_name.
      feed ??= chunk.includes(Buffer.from(" changes\0"));
      server.write(chunk);
    });
    server.on("data", (chunk) => {
      if (!feed || delayMs === 0) {
        if (due <= Date.now()) return client.write(chunk);
      }
      // Later chunks never overtake earlier ones.
      due = Math.max(due, Date.now() + (feed ? delayMs : 0));
      lastDue = Math.max(lastDue, due);
      setTimeout(() => client.writable && client.write(chunk), due - Date.now());
    });
    const end = () => {
      client.destroy();
      server.destroy();
    };
    for (const s of [client, server]) s.on("error", end).on("close", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  const url = new URL(target);
  url.hostname = "127.0.0.1";
  url.port = String(port);
  return {
    url: url.toString(),
    set: (ms) => {
      delayMs = ms;
    },
    drained: () => new Promise((resolve) => setTimeout(resolve, Math.max(0, lastDue - Date.now()) + 50)),
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  notices?.close();
  await standby?.stop();
  await primary?.stop();
});

/**
 * Polls until `check` holds; fails once a check begun after `timeoutMs` still does not. The bound is on what a
 * read begun that late sees, not on how long the answer takes to come back: a read that reached the other
 * container a moment before the change's notice and whose answer came back late (a loaded machine) says
 * nothing against the bound; a read begun after it that misses the change does.
 */
async function untilOk(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    const begun = performance.now();
    if (await check()) return performance.now() - started;
    if (begun - started > timeoutMs) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function call<T>(
  p: ApiProcess,
  procedure: string,
  input: unknown,
  email?: string,
  token?: string | null,
): Promise<T> {
  const headers: Record<string, string> = {};
  if (email) headers["x-forwarded-email"] = email;
  // The write position the writer's last change answered with, as the SPA's cookie or a client's header.
  if (token) headers["orders-write-position"] = token;
  const res = await fetch(
    `${p.url}/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`,
    {
      headers,
    },
  );
  const body = (await res.json()) as { result?: { data: T }; error?: unknown };
  if (!body.result) {
    // The server's own account of a failure (a 500 says nothing else).
    const logged = p.logs.filter((l) => l.msg === "procedure failed").slice(-1);
    throw new Error(`${procedure}: ${res.status} ${JSON.stringify(body.error)} ${JSON.stringify(logged)}`);
  }
  return body.result.data;
}

const count = (p: ApiProcess, filters: object) =>
  call<{ totalOrders: number; computedAt: string; stale: boolean }>(p, "orders.count", filters);
const statusOf = async (p: ApiProcess, orderKey: number, email?: string, token?: string | null) =>
  (await call<{ status: string }>(p, "orders.byKey", { orderKey }, email, token)).status;

/** A status change's answer: its HTTP status and the write position it hands its writer. */
async function writeFor(
  p: ApiProcess,
  email: string,
  input: { orderKey: number; status: string; expectedStatus?: string },
) {
  const res = await fetch(`${p.url}/api/trpc/orders.updateStatus`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-email": email },
    body: JSON.stringify(input),
  });
  await res.arrayBuffer();
  return { status: res.status, token: res.headers.get("orders-write-position") };
}

const write = async (...args: Parameters<typeof writeFor>) => (await writeFor(...args)).status;

/** Orders of one synced status, each a different one per call. */
const taken = new Set<number>();
async function anOrder(synced = "O"): Promise<{ key: number; priority: string; day: string }> {
  const rows = await sql<{ k: string; priority: string; day: string }>(
    `SELECT o_orderkey::text AS k, o_orderpriority AS priority, o_orderdate::text AS day FROM orders_synced
      WHERE o_orderstatus = $1 AND o_orderkey <> ALL($2::bigint[]) ORDER BY o_orderkey LIMIT 1`,
    [synced, [...taken]],
  );
  const row = rows[0]!;
  taken.add(Number(row.k));
  return { key: Number(row.k), priority: row.priority, day: row.day };
}

describe("two containers on one database", () => {
  it("a change committed before a container first follows the feed is in its figures", async () => {
    // Committed after a first rollup check loaded the overrides, and before either container was ready (so
    // before either followed the feed).
    expect(readyBeforeTheChange).toBe(false);
    const truth = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM orders_synced o LEFT JOIN app_data.order_status s ON s.order_key = o.o_orderkey
        WHERE COALESCE(s.status, o.o_orderstatus) = 'F'`,
    );
    for (const p of [a, b]) expect((await count(p, { status: "F" })).totalOrders).toBe(truth[0]!.n);
  });

  it("a status change through one shows in the other's counts within moments", async () => {
    const before = (await count(b, { status: "F" })).totalOrders;
    const { key } = await anOrder("O");
    expect(await write(a, "editor@example.com", { orderKey: key, status: "F" })).toBe(200);
    const took = await untilOk(
      async () => (await count(b, { status: "F" })).totalOrders === before + 1,
      5000,
    );
    console.info(`the other container's count followed in ${Math.round(took)} ms`);
    expect((await count(a, { status: "F" })).totalOrders).toBe(before + 1);
  });

  it("the writer reads their change back through the other container, ahead of the lagging secondary", async () => {
    const { key } = await anOrder("O");
    // The writer presents what their change answered with: B may not have heard of it yet (the next test).
    const { status, token } = await writeFor(a, "writer@example.com", { orderKey: key, status: "P" });
    expect(status).toBe(200);
    expect(await statusOf(b, key, "writer@example.com", token)).toBe("P");
    const history = await call<{ changes: { status: string }[] }>(
      b,
      "orders.history",
      { orderKey: key },
      "writer@example.com",
      token,
    );
    expect(history.changes[0]?.status).toBe("P");
    // Anyone else reads the secondary, which has not replayed it yet: the lag is real.
    expect(await statusOf(b, key, "analyst@example.com")).toBe("O");
  });

  it("the writer's next request reaches the other container before the change's notice and still reads it", async () => {
    const { key } = await anOrder("O");
    const writer = "late@example.com";
    const countP = () =>
      fetch(`${b.url}/api/trpc/orders.count?input=${encodeURIComponent(JSON.stringify({ status: "P" }))}`);
    // B's figures are cached before the change.
    const before = (await count(b, { status: "P" })).totalOrders;
    // B hears of changes 4 s late; the secondary replays them 6 s late.
    notices.set(4000);
    try {
      const { status, token } = await writeFor(a, writer, { orderKey: key, status: "P" });
      expect(status).toBe(200);
      expect(token).toMatch(/^[0-9]+@/);
      // Without the token, B cannot know: it has not heard of the change, and the writer reads the secondary.
      expect(await statusOf(b, key, writer)).toBe("O");
      expect(b.logs.some((l) => l.msg === "procedure failed")).toBe(false);
      // With it (what the SPA's cookie and an API client's header carry), B catches up first: the change, its
      // figures and the writer's primary reads are there well before the notice.
      const started = performance.now();
      const res = await fetch(
        `${b.url}/api/trpc/orders.byKey?input=${encodeURIComponent(JSON.stringify({ orderKey: key }))}`,
        { headers: { "x-forwarded-email": writer, "orders-write-position": token ?? "" } },
      );
      const body = (await res.json()) as { result: { data: { status: string } } };
      expect(body.result.data.status).toBe("P");
      expect(performance.now() - started).toBeLessThan(4000);
      // The shared count followed too (B learnt the change, and the secondary lags behind it).
      expect(
        ((await (await countP()).json()) as { result: { data: { totalOrders: number } } }).result.data
          .totalOrders,
      ).toBe(before + 1);
    } finally {
      notices.set(0);
      // The notices held back reach B before the next test's.
      await notices.drained();
    }
  });

  it("a failed write marks nobody a recent writer and invalidates nothing", async () => {
    const { key } = await anOrder("O");
    const trend = () => call<{ computedAt: string }>(b, "orders.trend", {});
    const before = (await count(b, { status: "F" })).totalOrders;
    // Someone else's change: on the primary at once, on the secondary 6 s later; the other container has
    // learnt it once its count moved.
    expect(await write(a, "other@example.com", { orderKey: key, status: "F" })).toBe(200);
    await untilOk(async () => (await count(b, { status: "F" })).totalOrders === before + 1, 3000);
    const kept = (await trend()).computedAt;
    expect(await write(b, "failing@example.com", { orderKey: key, status: "P", expectedStatus: "O" })).toBe(
      409,
    );
    expect(await write(b, "failing@example.com", { orderKey: 999_999_999, status: "P" })).toBe(404);
    expect(await write(b, "failing@example.com", { orderKey: key, status: "X" })).toBe(400);
    // Not marked: their reads still go to the (lagging) secondary.
    expect(await statusOf(b, key, "failing@example.com")).toBe("O");
    // Nothing was recomputed because of the failures.
    expect((await trend()).computedAt).toBe(kept);
  });

  it("a filter that only a new override matches returns it at once, in the other container too", async () => {
    // An order whose priority and day have no order of status P on the synced table.
    const rows = await sql<{ k: string; priority: string; day: string }>(
      `SELECT o.o_orderkey::text AS k, o.o_orderpriority AS priority, o.o_orderdate::text AS day
         FROM orders_synced o
        WHERE o.o_orderstatus = 'O' AND NOT EXISTS (
          SELECT 1 FROM orders_synced p WHERE p.o_orderstatus = 'P' AND p.o_orderpriority = o.o_orderpriority
             AND p.o_orderdate = o.o_orderdate) AND o.o_orderkey <> ALL($1::bigint[])
        ORDER BY o.o_orderkey LIMIT 1`,
      [[...taken]],
    );
    const key = Number(rows[0]!.k);
    taken.add(key);
    const filters = {
      status: "P",
      priority: rows[0]!.priority,
      dateFrom: rows[0]!.day,
      dateTo: rows[0]!.day,
    };
    // As the writer, who reads from the primary, so the page is the other container's figures' to get
    // right (an analyst reads the lagging secondary, which shows the change once it has replayed it).
    const editor = "editor@example.com";
    const list = (p: ApiProcess) =>
      call<{ orders: { orderKey: number }[] }>(p, "orders.list", { ...filters, pageSize: 20 }, editor);
    expect((await list(b)).orders).toEqual([]);
    expect(await write(a, editor, { orderKey: key, status: "P" })).toBe(200);
    await untilOk(async () => (await list(b)).orders.some((o) => o.orderKey === key), 1000);
    const stream = await call<{ orders: { orderKey: number }[] }>(
      b,
      "orders.stream",
      { ...filters, pageSize: 20 },
      editor,
    );
    expect(stream.orders.map((o) => o.orderKey)).toEqual([key]);
  });

  it("keeps no figure read from the secondary before a change it has not replayed", async () => {
    const { key, day } = await anOrder("O");
    const month = day.slice(0, 7);
    const cell = async () => {
      const t = await call<{ months: { month: string; cells: { key: string; orders: number }[] }[] }>(
        b,
        "orders.trend",
        { splitBy: "status" },
      );
      return t.months.find((m) => m.month === month)?.cells.find((c) => c.key === "F")?.orders ?? 0;
    };
    const before = await cell();
    expect(await write(a, "editor@example.com", { orderKey: key, status: "F" })).toBe(200);
    // The trend is computed again after the change; the secondary is 6 s behind, so it must not be
    // what it is computed from.
    // Well before the secondary has it (6 s): what the other container computes is the primary's.
    await untilOk(async () => (await cell()) === before + 1, 4000);
    expect(await cell()).toBe(before + 1);
  });
});
