import type { Logger } from "@lakebase-orders/log";
import type pg from "pg";
import type { ChangeBus } from "../../cluster/bus.ts";
import { CHANGES_CHANNEL, changesSince, type OrderChange, parseChange, walPosition } from "./change-log.ts";
import type { WritePosition } from "./recent-writers.ts";

/**
 * How one process learns every committed status change, whoever made it (this process, a sibling worker,
 * another container of a rolling deploy or of a second instance), so that what it keeps in memory (counts,
 * stats, the rollup's overrides, who has just written) follows:
 * - its own changes, at once (the writer delivers them before it answers);
 * - a sibling worker's, over the cluster bus (IPC: the fast path inside one container);
 * - everyone's, through PostgreSQL: LISTEN on the feed's channel (delivered at commit), and after any gap
 *   or reconnect the change table itself (change-log.ts), read from the last number seen.
 * Each change reaches the subscribers once, whichever way it came first. When changes cannot be told one by one
 * (the first look starts from what is committed then, whatever the subscribers loaded before it; a gap longer
 * than the feed keeps), the subscribers are told to read again what they keep (`onResync`).
 *
 * The listening session is idle between changes, so it does not keep a scale-to-zero endpoint awake; when
 * it ends (the endpoint suspended, a restart, a failover) it is not reopened at once, which would wake the
 * endpoint: the next user request reopens it (`wake`) and catches up from the table before figures are
 * read (`current`). That catch-up goes through the pool (`catchUpVia`) while the session opens beside it, so
 * the first request after a suspension waits for the wake and one login, not for the session's login and
 * LISTEN as well; once the session listens it catches up again, so nothing committed in between is missed.
 */
export interface ChangeFeed {
  /**
   * A change committed here: delivered now, and told to the siblings. `lsn`: the primary's WAL position at
   * or past its commit (null when it could not be read).
   */
  committed(change: OrderChange, lsn: string | null): void;
  /** Called once per change, in no guaranteed order across orders (use `seq` to order one order's changes). */
  onChange(handler: (change: OrderChange) => void): () => void;
  /**
   * Called for each change's author with the primary's WAL position at or past its commit (see
   * recent-writers.ts); a notified change is told "pending" at once, then its position.
   */
  onWriter(handler: (actor: string, position: WritePosition) => void): () => void;
  /**
   * Called when changes may have been missed one by one: the first look (the starting point is what is
   * committed then; a subscriber that loaded its state earlier, such as the rollup's overrides at its first
   * check, has not seen what committed in between) and a gap longer than the feed keeps. What is kept from
   * before must be read again.
   */
  onResync(handler: () => void): () => void;
  /** User activity: reopens the listening session if it ended. */
  wake(): void;
  /**
   * Resolves once every change committed before the call that this process can learn is delivered: at once
   * while listening; otherwise after reopening and catching up (at most `waitMs`; a database that does not
   * answer is the read's problem to report).
   */
  current(waitMs?: number): Promise<void>;
  /**
   * Resolves true once change `seq` is delivered here, reading the table for it when it has not arrived yet
   * (its writer's next request reached this process before the change's notice did: write-token.ts); false
   * when it is not found within `waitMs` (a number never committed, a database that does not answer).
   */
  reach(seq: number, waitMs?: number): Promise<boolean>;
  /** The last change number delivered in order (null before the first look), and whether it listens. */
  state(): { lastSeq: number | null; listening: boolean };
  close(): Promise<void>;
}

export interface ChangeFeedOptions {
  /** A new session on the primary (not a pooled one: LISTEN belongs to its session). */
  connect: () => Promise<pg.Client>;
  logger: Logger;
  /** Siblings in this container (cluster workers). */
  bus?: ChangeBus;
  /** Least time between two attempts to reopen the session (default 1000 ms). */
  retryMs?: number;
  /**
   * Pooled connections on the primary, for the catch-up `current` waits for while the session reopens.
   * Omitted: `current` waits for the session to open and catch up itself.
   */
  catchUpVia?: Pick<pg.ClientBase, "query">;
}

const BUS_TOPIC = "orders.change";

export function createChangeFeed(options: ChangeFeedOptions): ChangeFeed {
  const { logger } = options;
  const changeHandlers = new Set<(change: OrderChange) => void>();
  const writerHandlers = new Set<(actor: string, position: WritePosition) => void>();
  const resyncHandlers = new Set<() => void>();
  // Every change up to lastSeq has been delivered (or predates this process); `ahead` holds the numbers
  // delivered beyond it, out of order (a sibling's change before a notification, a gap being filled).
  let lastSeq: number | null = null;
  const ahead = new Set<number>();
  let client: pg.Client | undefined;
  let opening: Promise<void> | undefined;
  let catchingUp: Promise<void> | undefined;
  let lastAttempt = 0;
  let closed = false;
  // The listening session runs one query at a time: catch-ups and position reads take turns.
  let turn: Promise<unknown> = Promise.resolve();
  const onSession = <T>(work: () => Promise<T>): Promise<T> => {
    const run = turn.then(work, work);
    turn = run.catch(() => undefined);
    return run;
  };
  // Changes whose authors wait for a WAL position (notifications carry none).
  let unplaced: OrderChange[] = [];
  let placing: Promise<void> | undefined;

  const advance = () => {
    if (lastSeq === null) return;
    while (ahead.has(lastSeq + 1)) {
      ahead.delete(lastSeq + 1);
      lastSeq++;
    }
  };

  /** Hands a change to the subscribers unless it was delivered before; true when it is new. */
  const deliver = (change: OrderChange): boolean => {
    if ((lastSeq !== null && change.seq <= lastSeq) || ahead.has(change.seq)) return false;
    ahead.add(change.seq);
    advance();
    for (const h of changeHandlers) h(change);
    return true;
  };

  const wrote = (actor: string, lsn: string | null | "pending") => {
    const position: WritePosition = lsn === null ? "unknown" : lsn === "pending" ? lsn : { lsn };
    for (const h of writerHandlers) h(actor, position);
  };

  /** Delivers everything after the last number seen, from the table; the authors get the read's position. */
  const catchUp = (session: Pick<pg.ClientBase, "query">): Promise<void> => {
    catchingUp ??= (async () => {
      for (;;) {
        const from = lastSeq;
        const found = await onSession(() => changesSince(session, from ?? Number.MAX_SAFE_INTEGER));
        // The first look: what is committed now is this process's starting point. Later: a number missing
        // below the newest one read was never committed (its transaction rolled back), so everything up to
        // the newest read counts as seen.
        let seen = from === null ? (found.newest ?? 0) : from;
        // Changes committed before this point are not delivered one by one: the first look (when there are
        // any), or a gap (away longer than the feed keeps changes: the ones in between are gone).
        let missed = from === null && found.newest !== null;
        if (from !== null && found.oldest !== null && found.oldest > from + 1) {
          logger.warn("orders_change_feed_gap", { lastSeq: from, oldestKept: found.oldest });
          missed = true;
        }
        for (const change of found.changes) {
          if (deliver(change)) wrote(change.actor, found.lsn);
          seen = Math.max(seen, change.seq);
        }
        lastSeq = Math.max(lastSeq ?? 0, seen);
        for (const seq of [...ahead]) if (seq <= lastSeq) ahead.delete(seq);
        advance();
        if (missed) for (const h of resyncHandlers) h();
        if (found.changes.length < 1000) return;
      }
    })().finally(() => {
      catchingUp = undefined;
    });
    return catchingUp;
  };

  /** Gives the authors of notified changes a WAL position: one query for every notification so far. */
  const place = (session: pg.Client) => {
    if (placing) return;
    placing = (async () => {
      while (unplaced.length > 0) {
        const batch = unplaced;
        unplaced = [];
        const lsn = await onSession(() => walPosition(session)).catch((error: unknown) => {
          // The authors fall back to the time window (no position known).
          logger.warn("orders_change_feed_position_failed", { message: messageOf(error) });
          return null;
        });
        for (const change of batch) wrote(change.actor, lsn);
      }
    })().finally(() => {
      placing = undefined;
    });
  };

  const drop = (session: pg.Client, why: string) => {
    if (client !== session) return;
    client = undefined;
    logger.info("orders_change_feed_closed", { reason: why.slice(0, 200), lastSeq });
    session.end().catch(() => undefined);
  };

  const open = (): Promise<void> => {
    if (client || closed) return Promise.resolve();
    if (opening) return opening;
    if (Date.now() - lastAttempt < (options.retryMs ?? 1000)) return Promise.resolve();
    lastAttempt = Date.now();
    opening = (async () => {
      const session = await options.connect();
      session.on("error", (error) => drop(session, messageOf(error)));
      session.on("end", () => drop(session, "session ended"));
      session.on("notification", (message) => {
        if (message.channel !== CHANGES_CHANNEL) return;
        const change = parseChange(message.payload);
        if (!change) return;
        const expected = lastSeq === null || change.seq === lastSeq + 1;
        if (deliver(change)) {
          wrote(change.actor, "pending");
          unplaced.push(change);
          place(session);
        }
        // A number skipped (a notification lost with a session, or one still in flight): read the table.
        if (!expected && lastSeq !== null && change.seq > lastSeq + 1) {
          catchUp(session).catch((error: unknown) =>
            logger.warn("orders_change_feed_catch_up_failed", { message: messageOf(error) }),
          );
        }
      });
      try {
        await session.query(`LISTEN ${CHANGES_CHANNEL}`);
        if (closed) throw new Error("the change feed is closed");
        client = session;
        // A catch-up through the pool may have started before LISTEN: what committed since is read again.
        await catchingUp?.catch(() => undefined);
        await catchUp(session);
        logger.info("orders_change_feed_listening", { lastSeq });
      } catch (error) {
        if (client === session) client = undefined;
        session.end().catch(() => undefined);
        throw error;
      }
    })()
      .catch((error: unknown) => {
        logger.warn("orders_change_feed_open_failed", { message: messageOf(error) });
      })
      .finally(() => {
        opening = undefined;
      });
    return opening;
  };

  const unsubscribe = options.bus?.subscribe(BUS_TOPIC, (data) => {
    if (data === undefined) return;
    const told = JSON.parse(data) as { change: OrderChange; lsn: string | null };
    if (deliver(told.change)) wrote(told.change.actor, told.lsn);
  });

  return {
    committed(change, lsn) {
      if (deliver(change)) wrote(change.actor, lsn);
      options.bus?.publish(BUS_TOPIC, JSON.stringify({ change, lsn }));
    },
    onChange(handler) {
      changeHandlers.add(handler);
      return () => changeHandlers.delete(handler);
    },
    onWriter(handler) {
      writerHandlers.add(handler);
      return () => writerHandlers.delete(handler);
    },
    onResync(handler) {
      resyncHandlers.add(handler);
      return () => resyncHandlers.delete(handler);
    },
    wake() {
      if (!client) void open();
    },
    async current(waitMs = 2000) {
      // A notification that has arrived with this request is handled first: the request may be its
      // author's next one (read-your-writes), sent as soon as the change committed.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (client && !catchingUp) return;
      let done = client ? catchingUp : open();
      // Not listening: the table is read through the pool, whether the session is opening or its reopening
      // waits out `retryMs` after a failed attempt (a read meanwhile would otherwise miss what others changed).
      if (!client && !closed && options.catchUpVia) done = catchUp(options.catchUpVia);
      if (!done) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        done.catch(() => undefined),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, waitMs);
        }),
      ]);
      clearTimeout(timer);
    },
    async reach(seq, waitMs = 2000) {
      const delivered = () => (lastSeq !== null && seq <= lastSeq) || ahead.has(seq);
      if (delivered()) return true;
      const via = options.catchUpVia ?? client;
      if (!via || closed) return false;
      const deadline = Date.now() + waitMs;
      // A catch-up under way may have read the table before the change committed: one more then.
      for (let tries = 0; tries < 2 && !delivered() && Date.now() < deadline; tries++) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          catchUp(via).catch((error: unknown) =>
            logger.warn("orders_change_feed_catch_up_failed", { message: messageOf(error) }),
          ),
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
          }),
        ]);
        clearTimeout(timer);
      }
      return delivered();
    },
    state: () => ({ lastSeq, listening: client !== undefined }),
    async close() {
      closed = true;
      unsubscribe?.();
      const session = client;
      client = undefined;
      await opening?.catch(() => undefined);
      await session?.end().catch(() => undefined);
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
