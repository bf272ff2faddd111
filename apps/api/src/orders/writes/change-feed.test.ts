// The change feed's reopening after its session ended (the endpoint suspended): the first request's catch-up
// goes through the pool while the session logs in and LISTENs beside it, and nothing committed between that
// catch-up and LISTEN is lost (the session catches up again once it listens). Issue 27 item 6: a request
// after a wake pays the wake and one login, not two logins and LISTEN in a row.
import { randomUUID } from "node:crypto";
import { migrate } from "@lakebase-orders/api/testing";
import { createDb, type Db, openSession } from "@lakebase-orders/db";
import { silentLogger } from "@lakebase-orders/log";
import { createTestDatabase, type TestDatabase } from "@lakebase-orders/pg-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncedTable } from "../tables.ts";
import { createChangeFeed } from "./change-feed.ts";
import { runStatusChange, statusChangeStatement } from "./status-change.ts";

let database: TestDatabase;
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase("api_change_feed");
  db = createDb({ connectionString: database.url, max: 3 });
  await migrate(db);
  // A synced table of three orders, written through the product's own status change.
  await db.pool.query(`CREATE TABLE public.orders_synced (o_orderkey bigint PRIMARY KEY, o_orderstatus text,
      o_orderdate date, o_orderpriority text, o_totalprice numeric(15, 2));
    INSERT INTO public.orders_synced SELECT k, 'O', date '1996-01-02', '1-URGENT', 100.00 FROM generate_series(1, 3) k`);
}, 60_000);

const statement = statusChangeStatement(
  syncedTable({ fullName: "c.public.orders_synced", catalog: "c", schema: "public", table: "orders_synced" }),
);

afterAll(async () => {
  await db?.disconnect();
  await database?.drop();
});

const change = async (orderKey: number) => {
  const result = await runStatusChange(db.prisma, statement, {
    orderKey,
    status: "F",
    actor: "other@example.com",
    requestId: undefined,
    at: new Date(),
    writeId: randomUUID(),
  });
  if (result.kind !== "committed") throw new Error(`change of ${orderKey}: ${result.kind}`);
  return result.change;
};

describe("the change feed reopening", () => {
  it("catches up through the pool while its session opens, then listens without losing a change", async () => {
    let letIn!: () => void;
    const gate = new Promise<void>((resolve) => {
      letIn = resolve;
    });
    const feed = createChangeFeed({
      // The session's login is held back: the request must not wait for it.
      connect: async () => {
        await gate;
        return openSession(db.pool, "change-feed-test");
      },
      catchUpVia: db.pool,
      logger: silentLogger,
    });
    const seen: number[] = [];
    feed.onChange((c) => seen.push(c.orderKey));
    try {
      const before = await change(1);
      // The first look, through the pool: the starting point is what is committed now.
      await feed.current(30_000);
      expect(feed.state()).toEqual({ lastSeq: before.seq, listening: false });
      // Committed after that catch-up and before LISTEN: no notification reaches the feed.
      const between = await change(2);
      letIn();
      for (const deadline = Date.now() + 10_000; !feed.state().listening && Date.now() < deadline; )
        await new Promise((r) => setTimeout(r, 10));
      // Listening, and catching up from the table again (what `current` waits for).
      await feed.current(10_000);
      expect(feed.state()).toEqual({ lastSeq: between.seq, listening: true });
      expect(seen).toEqual([2]);
      // Listening: the next change arrives by notification.
      await change(3);
      for (const deadline = Date.now() + 10_000; seen.length < 2 && Date.now() < deadline; )
        await new Promise((r) => setTimeout(r, 10));
      expect(seen).toEqual([2, 3]);
    } finally {
      letIn();
      await feed.close();
    }
  });

  it("catches up through the pool while its reopening waits out a failed attempt", async () => {
    let attempts = 0;
    const feed = createChangeFeed({
      // The endpoint refuses the session (a suspended compute, a failover): the next attempt is a minute away.
      connect: async () => {
        attempts++;
        throw new Error("the session could not be opened");
      },
      catchUpVia: db.pool,
      retryMs: 60_000,
      logger: silentLogger,
    });
    const seen: number[] = [];
    feed.onChange((c) => seen.push(c.orderKey));
    try {
      await feed.current(10_000);
      const made = await change(1);
      // Another container's change: no notification, no session; a read must not miss it meanwhile.
      await feed.current(10_000);
      expect(attempts).toBe(1);
      expect(feed.state()).toEqual({ lastSeq: made.seq, listening: false });
      expect(seen).toEqual([1]);
    } finally {
      await feed.close();
    }
  });

  it("tells its subscribers to read again what its first look did not deliver one by one", async () => {
    // The rollup's overrides are loaded at its first check, before the feed's first look: a change committed
    // in between is neither in them nor delivered (the first look starts from what is committed).
    const made = await change(2);
    let giveUp!: () => void;
    const held = new Promise<never>((_, reject) => {
      giveUp = () => reject(new Error("not this time"));
    });
    const feed = createChangeFeed({
      // The session stays away: every look goes through the pool.
      connect: () => held,
      catchUpVia: db.pool,
      logger: silentLogger,
    });
    let resyncs = 0;
    feed.onResync(() => resyncs++);
    const seen: number[] = [];
    feed.onChange((c) => seen.push(c.orderKey));
    try {
      await feed.current(10_000);
      expect(feed.state().lastSeq).toBeGreaterThanOrEqual(made.seq);
      expect(seen).toEqual([]);
      expect(resyncs).toBe(1);
      // Later looks deliver one by one: no resync.
      await change(3);
      await feed.current(10_000);
      expect(seen).toEqual([3]);
      expect(resyncs).toBe(1);
    } finally {
      giveUp();
      await feed.close();
    }
  });
  it("reaches a change whose notice has not arrived yet, once, and gives up on one never committed", async () => {
    // The notices are held back, as on a slow link: the feed listens, so nothing tells it to look.
    const held: unknown[] = [];
    let session: Awaited<ReturnType<typeof openSession>> | undefined;
    const feed = createChangeFeed({
      connect: async () => {
        session = await openSession(db.pool, "change-feed-test");
        const emit = session.emit.bind(session);
        session.emit = (event: string | symbol, ...args: unknown[]) => {
          if (event === "notification") {
            held.push(args[0]);
            return true;
          }
          return emit(event, ...args);
        };
        return session;
      },
      catchUpVia: db.pool,
      logger: silentLogger,
    });
    const seen: number[] = [];
    const writers: string[] = [];
    feed.onChange((c) => seen.push(c.orderKey));
    feed.onWriter((actor, position) =>
      writers.push(`${actor} ${typeof position === "object" ? "placed" : position}`),
    );
    try {
      feed.wake();
      for (const deadline = Date.now() + 10_000; !feed.state().listening && Date.now() < deadline; )
        await new Promise((r) => setTimeout(r, 10));
      await feed.current(10_000);
      const made = await change(1);
      for (const deadline = Date.now() + 5_000; held.length === 0 && Date.now() < deadline; )
        await new Promise((r) => setTimeout(r, 10));
      expect(held.length).toBeGreaterThan(0);
      // Listening: `current` has nothing to wait for, and the change is not here (the window the token closes).
      await feed.current(10_000);
      expect(seen).toEqual([]);
      expect(await feed.reach(made.seq, 10_000)).toBe(true);
      expect(seen).toEqual([1]);
      // Its author is told with a WAL position (read with the change), as after any catch-up.
      expect(writers).toEqual(["other@example.com placed"]);
      // The notice arriving late delivers nothing twice.
      for (const message of held.splice(0)) session?.emit("notification", message);
      expect(await feed.reach(made.seq, 10)).toBe(true);
      expect(seen).toEqual([1]);
      // A number nobody committed: false within the wait, and nothing delivered.
      const started = performance.now();
      expect(await feed.reach(made.seq + 1_000_000, 2_000)).toBe(false);
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(seen).toEqual([1]);
    } finally {
      await feed.close();
    }
  });
});
