import {
  createOrdersFixture,
  type OrdersFixture,
  startTestServer,
  type TestServer,
} from "@lakebase-orders/api/testing";
import { type Env, loadConfig } from "@lakebase-orders/config";
import { createLogger } from "@lakebase-orders/log";
import { ORDER_COLUMN_LABELS, ORDER_PRIORITY_LABELS, ORDER_STATUS_LABELS } from "@lakebase-orders/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../http/app.ts";
import { buildServices } from "../start/services.ts";
import { exportFileName } from "./file-name.ts";

const ROWS = 5000;
let f: OrdersFixture;

// Comments a spreadsheet would run as formulas, written into the synced table the way a source could hold them
// (on the first orders: TPC-H keys are sparse).
const HOSTILE = [
  '=HYPERLINK("http://evil.example","click")',
  "+1+2",
  "-2+3",
  "@SUM(A1:A2)",
  "\tcmd",
  "\r=1",
  'plain, with "quotes" and a comma',
  "multi\nline",
  // OWASP's rule also covers white space before the formula and the full-width forms.
  "  =1+1",
  "\u00a0\u3000+1",
  "\u200b@SUM(1)",
  "＝HYPERLINK(1)",
  "＋1",
  "－1",
  "＠SUM(1)",
  "\n=1",
  "a = b, not a formula",
];
let hostileKeys: number[] = [];

beforeAll(async () => {
  // Several callers, told apart by the forwarded e-mail as behind a proxy.
  f = await createOrdersFixture("api_export", ROWS, { TRUST_FORWARDED_HEADERS: "true" });
  const { rows } = await f.db.pool.query<{ k: string }>(
    `SELECT o_orderkey AS k FROM public.orders_synced ORDER BY o_orderkey LIMIT ${HOSTILE.length}`,
  );
  hostileKeys = rows.map((r) => Number(r.k));
  for (const [i, key] of hostileKeys.entries()) {
    await f.db.pool.query("UPDATE public.orders_synced SET o_comment = $1 WHERE o_orderkey = $2", [
      HOSTILE[i],
      key,
    ]);
  }
}, 120_000);

afterAll(async () => {
  await f?.close();
});

/** RFC 4180: quoted fields may hold commas, quotes ("") and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += ch;
  }
  if (cell !== "" || row.length > 0) rows.push([...row, cell]);
  return rows;
}

const exportOf = (query: string, init?: RequestInit) => f.fetch(`/api/export/orders.csv${query}`, init);

/** Export COPYs on the database now, from any process. */
const copies = async () => {
  const { rows } = await f.db.pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'COPY (SELECT%' AND datname = current_database() AND pid <> pg_backend_pid()",
  );
  return rows[0]?.n ?? 0;
};

/** Another process of the app over the fixture's database: its own services and limits, the same locks. */
function appOver(env: Env) {
  const services = buildServices(loadConfig(env), f.db, { logger: createLogger({ write: () => undefined }) });
  return { app: createApp(services), close: () => services.close() };
}

/** Keys in order, written apart from the export's SQL. */
async function truthKeys(where: string, orderBy: string): Promise<number[]> {
  const { rows } = await f.db.pool.query<{ k: string }>(
    `SELECT o.o_orderkey AS k FROM public.orders_synced o
       LEFT JOIN app_data.order_status s ON s.order_key = o.o_orderkey
      WHERE ${where} ORDER BY ${orderBy}`,
  );
  return rows.map((r) => Number(r.k));
}

/** What a spreadsheet would run as a formula (OWASP), as the test sees it (apart from the SQL that decides it). */
const FORMULA = /^[\t\r\n]|^[\s\u00a0\u200b\u2060\ufeff]*[-=+@＝＋－＠]/u;

describe("GET /api/export/orders.csv", () => {
  it("streams every order as CSV, in key order, with the API's field names and codes as format=api", async () => {
    const res = await exportOf("?format=api");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="orders_all.csv"');
    expect(res.headers.get("cache-control")).toBe("no-store");
    const rows = parseCsv(await res.text());
    expect(rows[0]).toEqual([
      "orderKey",
      "custKey",
      "status",
      "totalPrice",
      "orderDate",
      "priority",
      "clerk",
      "shipPriority",
      "comment",
    ]);
    expect(rows).toHaveLength(ROWS + 1);
    expect(rows.slice(1).map((r) => Number(r[0]))).toEqual(await truthKeys("TRUE", "o.o_orderkey"));
    const { rows: db } = await f.db.pool.query(
      `SELECT o_orderkey::text, o_custkey::text, o_orderstatus, o_totalprice::text,
              to_char(o_orderdate, 'YYYY-MM-DD'), o_orderpriority, o_clerk, o_shippriority::text, o_comment
         FROM public.orders_synced WHERE o_orderkey = 100`,
      [],
    );
    expect(rows.find((r) => r[0] === "100")).toEqual(Object.values(db[0] as object));
  });

  it("writes the screen's headers and labels by default (statuses and priorities as the table shows them)", async () => {
    // One after the other: a caller runs one export at a time.
    const api = parseCsv(await (await exportOf("?format=api")).text());
    const labels = parseCsv(await (await exportOf("")).text());
    expect(labels[0]).toEqual([
      "Order",
      "Customer",
      "Status",
      "Total",
      "Date",
      "Priority",
      "Clerk",
      "Ship prio.",
      "Comment",
    ]);
    expect(labels[0]).toEqual(Object.values(ORDER_COLUMN_LABELS));
    expect(labels).toHaveLength(api.length);
    for (let i = 1; i < api.length; i++) {
      const [a, l] = [api[i]!, labels[i]!];
      expect(l[2]).toBe(ORDER_STATUS_LABELS[a[2] as keyof typeof ORDER_STATUS_LABELS]);
      expect(l[5]).toBe(ORDER_PRIORITY_LABELS[a[5] as keyof typeof ORDER_PRIORITY_LABELS]);
      expect([...l.slice(0, 2), ...l.slice(3, 5), ...l.slice(6)]).toEqual([
        ...a.slice(0, 2),
        ...a.slice(3, 5),
        ...a.slice(6),
      ]);
    }
    expect(new Set(labels.slice(1).map((r) => r[2]))).toEqual(new Set(["Fulfilled", "Open", "Partial"]));
  });

  it("exports what orders.list shows: the same filters on the overlaid status, the same sort", async () => {
    const { rows } = await f.db.pool.query<{ k: string }>(
      "SELECT o_orderkey AS k FROM public.orders_synced WHERE o_orderstatus = 'O' ORDER BY o_orderkey LIMIT 1",
    );
    await f.client.orders.updateStatus.mutate({ orderKey: Number(rows[0]!.k), status: "F" });
    const query = "?status=F&priority=2-HIGH&dateFrom=1994-01-01&dateTo=1996-12-31&sort=-totalPrice";
    const res = await exportOf(query);
    expect(res.headers.get("content-disposition")).toBe(
      'attachment; filename="orders_status-F_priority-2-HIGH_1994-01-01_to_1996-12-31_by-totalPrice-desc.csv"',
    );
    const keys = parseCsv(await res.text())
      .slice(1)
      .map((r) => Number(r[0]));
    const expected = await truthKeys(
      `COALESCE(s.status, o.o_orderstatus) = 'F' AND o.o_orderpriority = '2-HIGH'
         AND o.o_orderdate BETWEEN '1994-01-01' AND '1996-12-31'`,
      "o.o_totalprice DESC, o.o_orderkey DESC",
    );
    expect(expected.length).toBeGreaterThan(50);
    expect(keys).toEqual(expected);

    // The pages of orders.list, end to end, hold the same keys in the same order.
    const listed: number[] = [];
    for (let page = 1; ; page++) {
      const r = await f.client.orders.list.query({
        status: "F",
        priority: "2-HIGH",
        dateFrom: "1994-01-01",
        dateTo: "1996-12-31",
        sort: "-totalPrice",
        page,
        pageSize: 1000,
      });
      listed.push(...r.orders.map((o) => o.orderKey));
      if (!r.pagination.hasNext) break;
    }
    expect(keys).toEqual(listed);
  });

  it("writes only the chosen columns, in the chosen order", async () => {
    const res = await exportOf(
      "?columns=totalPrice,orderKey,status&sort=orderDate&dateTo=1992-03-01&format=api",
    );
    const rows = parseCsv(await res.text());
    expect(rows[0]).toEqual(["totalPrice", "orderKey", "status"]);
    expect(rows.slice(1).every((r) => r.length === 3 && /^\d+\.\d{2}$/.test(r[0]!))).toBe(true);
    expect(rows.slice(1).map((r) => Number(r[1]))).toEqual(
      await truthKeys("o.o_orderdate <= '1992-03-01'", "o.o_orderdate, o.o_orderkey"),
    );
    const labelled = parseCsv(
      await (await exportOf("?columns=totalPrice,orderKey&dateTo=1992-03-01")).text(),
    );
    expect(labelled[0]).toEqual(["Total", "Order"]);
  });

  it("makes cells a spreadsheet would run as formulas harmless (OWASP: white space first, full-width forms too), and keeps quotes, commas and line breaks", async () => {
    for (const format of ["api", "labels"]) {
      const rows = parseCsv(await (await exportOf(`?columns=orderKey,comment&format=${format}`)).text());
      const comments = new Map(rows.slice(1).map((r) => [Number(r[0]), r[1]]));
      const expected = HOSTILE.map((h) => (FORMULA.test(h) ? `'${h}` : h));
      expect(hostileKeys.map((k) => comments.get(k))).toEqual(expected);
      // Everything but the last three plain ones was a formula.
      expect(expected.filter((e) => e.startsWith("'"))).toHaveLength(HOSTILE.length - 3);
    }
    // No cell of any column starts with a formula.
    for (const format of ["api", "labels"]) {
      const all = parseCsv(await (await exportOf(`?format=${format}`)).text()).slice(1);
      for (const row of all) for (const cell of row) expect(cell).not.toMatch(FORMULA);
    }
  });

  it("refuses bad filters, sorts, columns and formats with 400 and a reason, like orders.list", async () => {
    for (const query of [
      "?status=X",
      "?priority=urgent",
      "?dateFrom=1995-02-30",
      "?dateFrom=1996-01-01&dateTo=1995-01-01",
      "?sort=comment",
      "?columns=",
      "?columns=orderKey,orderKey",
      "?columns=o_comment",
      `?columns=${"orderKey,".repeat(40)}`,
      "?format=xml",
      "?format=",
    ]) {
      const res = await exportOf(query);
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { detail: string }).detail, query).toMatch(/\w+: /);
    }
  });

  it("runs one export per caller: a second is refused with 429 and Retry-After, never replacing the first", async () => {
    // Held back by an unread download, the first copy is still running on the server.
    const first = await exportOf("?sort=totalPrice");
    expect(first.status).toBe(200);
    const firstReader = first.body!.getReader();
    let text = new TextDecoder().decode((await firstReader.read()).value);
    expect(await copies()).toBe(1);
    const second = await exportOf("?status=O");
    expect(second.status).toBe(429);
    expect(second.headers.get("retry-after")).toBe("5");
    expect(((await second.json()) as { detail: string }).detail).toMatch(/already have an export running/);
    // The first goes on to its end, whole.
    for (;;) {
      const { done, value } = await firstReader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(parseCsv(text)).toHaveLength(ROWS + 1);
    expect((await exportOf("?status=O&columns=orderKey")).status).toBe(200);

    // Another caller runs beside; walking away from a download stops its COPY on the server.
    // (The whole table, not a few rows that would be sent entire before the cancel.)
    const other = await exportOf("?sort=-totalPrice", {
      headers: { "X-Forwarded-Email": "other@example.com" },
    });
    expect(other.status).toBe(200);
    const reader = other.body!.getReader();
    await reader.read();
    await expect.poll(copies).toBe(1);
    await reader.cancel();
    await expect.poll(copies).toBe(0);
    // The pool still answers (the cancelled copies' connections were closed, not returned mid-COPY).
    expect((await f.client.orders.count.query()).totalOrders).toBe(ROWS);
    expect(f.logs.some((l) => l.includes('"export finished"') && l.includes(`"rows":`))).toBe(true);
    await expect.poll(() => f.logs.some((l) => l.includes('"export ended early"'))).toBe(true);
  });

  it("runs at most EXPORTS_AT_ONCE exports at once in the process (429 with Retry-After for a third caller)", async () => {
    const held = await Promise.all(
      ["a@example.com", "b@example.com"].map((email) =>
        exportOf("?sort=-totalPrice", { headers: { "X-Forwarded-Email": email } }),
      ),
    );
    expect(held.map((r) => r.status)).toEqual([200, 200]);
    const third = await exportOf("", { headers: { "X-Forwarded-Email": "c@example.com" } });
    expect(third.status).toBe(429);
    expect(third.headers.get("retry-after")).toBe("5");
    for (const r of held) await r.body?.cancel();
    await expect.poll(async () => (await exportOf("?status=F&columns=orderKey")).status).toBe(200);
  });

  it("holds the same limits across processes, through the database: one per caller, EXPORTS_AT_ONCE in all", async () => {
    // A second process of the app over the same database (another worker, another container).
    const second = appOver({ TRUST_FORWARDED_HEADERS: "true" });
    try {
      const as = (email: string) => ({ headers: { "X-Forwarded-Email": email } });
      const mine = await exportOf("?sort=-totalPrice", as("ada@example.com"));
      expect(mine.status).toBe(200);
      const again = await second.app.request("http://api.test/api/export/orders.csv", as("ada@example.com"));
      expect(again.status).toBe(429);
      expect(((await again.json()) as { detail: string }).detail).toMatch(/already have an export running/);
      const bob = await second.app.request(
        "http://api.test/api/export/orders.csv?sort=-totalPrice",
        as("bob@example.com"),
      );
      expect(bob.status).toBe(200);
      const carol = await second.app.request(
        "http://api.test/api/export/orders.csv",
        as("carol@example.com"),
      );
      expect(carol.status).toBe(429);
      expect(((await carol.json()) as { detail: string }).detail).toMatch(/limit of exports running at once/);
      await mine.body?.cancel();
      await bob.body?.cancel();
      await expect
        .poll(
          async () =>
            (
              await second.app.request(
                "http://api.test/api/export/orders.csv?columns=orderKey",
                as("carol@example.com"),
              )
            ).status,
        )
        .toBe(200);
    } finally {
      await second.close();
    }
  });

  it("gives anonymous callers their own, smaller budget: one export between all of them, 60 s at most", async () => {
    const anonymous = { headers: { "X-Forwarded-Email": "" } };
    const first = await exportOf("?sort=totalPrice", anonymous);
    expect(first.status).toBe(200);
    const second = await exportOf("?sort=totalPrice", { headers: { "X-Forwarded-Email": "not an e-mail" } });
    expect(second.status).toBe(429);
    await first.body?.cancel();
    await expect.poll(copies).toBe(0);
    const whole = await exportOf("?columns=orderKey", anonymous);
    expect(whole.status).toBe(200);
    await whole.text();
    const budgets = f.logs
      .filter((l) => l.includes('"export finished"') || l.includes('"export ended early"'))
      .map((l) => JSON.parse(l) as { budgetSeconds: number; anonymous: boolean });
    expect(budgets.filter((b) => b.anonymous).map((b) => b.budgetSeconds)).toContain(60);
    expect(budgets.filter((b) => !b.anonymous).every((b) => b.budgetSeconds === 900)).toBe(true);
  });

  it("is charged to the caller's read budget like any uncached read (429 with Retry-After beyond it)", async () => {
    const limited = appOver({ TRUST_FORWARDED_HEADERS: "true", RATE_LIMIT_READS_PER_MINUTE: "3" });
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 5; i++) {
        const res = await limited.app.request(
          "http://api.test/api/export/orders.csv?columns=orderKey&status=P",
          {
            headers: { "X-Forwarded-Email": "dan@example.com" },
          },
        );
        statuses.push(res.status);
        if (res.status === 429) retryAfter = res.headers.get("retry-after");
        await res.body?.cancel();
        await expect.poll(copies).toBe(0);
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect(Number(retryAfter)).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });

  it("answers 503 with the reason while the database is not ready (not migrated yet), as orders.list does", async () => {
    const services = buildServices(loadConfig({}), f.db, {
      logger: createLogger({ write: () => undefined }),
      migrated: false,
    });
    try {
      const app = createApp(services);
      const res = await app.request("http://api.test/api/export/orders.csv");
      expect(res.status).toBe(503);
      expect(((await res.json()) as { detail: string }).detail).toMatch(/not available yet/);
      const views = await app.request("http://api.test/api/trpc/views.list");
      expect(views.status).toBe(503);
    } finally {
      await services.close();
    }
  });

  it("answers 412 while the synced table does not exist", async () => {
    const empty = await createOrdersFixture("api_export_empty", null);
    try {
      const res = await empty.fetch("/api/export/orders.csv");
      expect(res.status).toBe(412);
      expect(((await res.json()) as { detail: string }).detail).toContain("not available yet");
    } finally {
      await empty.close();
    }
  });
});

describe("an export whose client goes away", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(
      loadConfig({ LAKEBASE_PG_URL: f.database.url, TRUST_FORWARDED_HEADERS: "true" }),
      {
        until: "ready",
        logLevel: "error",
      },
    );
  });

  afterAll(async () => {
    await server?.close();
  });

  /** Export backends still at work, and for how long since their client left. */
  const running = async () =>
    (
      await f.db.pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'COPY (SELECT%' AND state = 'active' AND datname = current_database() AND pid <> pg_backend_pid()",
      )
    ).rows[0]?.n ?? 0;

  it("ends its database work within a second when it leaves before the first byte (while the database works)", async () => {
    // The COPY waits behind a lock held here: database work that has not sent a byte, like a long sort.
    const blocker = await f.db.pool.connect();
    try {
      await blocker.query("BEGIN");
      await blocker.query("LOCK TABLE app_data.order_status IN ACCESS EXCLUSIVE MODE");
      const controller = new AbortController();
      const response = fetch(`${server.url}/api/export/orders.csv?sort=-totalPrice`, {
        headers: { "X-Forwarded-Email": "eve@example.com" },
        signal: controller.signal,
      }).catch((error: unknown) => error);
      await expect.poll(running, { timeout: 10_000 }).toBe(1);
      controller.abort();
      const left = performance.now();
      await response;
      await expect.poll(running, { timeout: 5_000, interval: 50 }).toBe(0);
      expect(performance.now() - left).toBeLessThan(1000);
      // Its slot is free again at once: the same caller starts the next one.
      await blocker.query("COMMIT");
      const next = await fetch(`${server.url}/api/export/orders.csv?columns=orderKey`, {
        headers: { "X-Forwarded-Email": "eve@example.com" },
      });
      expect(next.status).toBe(200);
      await next.text();
    } finally {
      await blocker.query("ROLLBACK").catch(() => undefined);
      blocker.release();
    }
  });

  it("ends its database work within a second when it leaves in the middle of the download", async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.url}/api/export/orders.csv?sort=-totalPrice`, {
      headers: { "X-Forwarded-Email": "fay@example.com" },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    await response.body!.getReader().read();
    // Unread, the download holds the COPY open on the server (backpressure).
    await expect.poll(copies).toBe(1);
    controller.abort();
    const left = performance.now();
    await expect.poll(copies, { timeout: 5_000, interval: 50 }).toBe(0);
    expect(performance.now() - left).toBeLessThan(1000);
  });
});

describe("export helpers", () => {
  it("names the file after the filters and the sort", () => {
    expect(exportFileName({}, "orderKey")).toBe("orders_all.csv");
    expect(exportFileName({ priority: "4-NOT SPECIFIED" }, "orderDate")).toBe(
      "orders_priority-4-NOT-SPECIFIED_by-orderDate.csv",
    );
    expect(exportFileName({ dateFrom: "1995-01-01" }, "-orderKey")).toBe(
      "orders_from-1995-01-01_by-orderKey-desc.csv",
    );
    expect(exportFileName({ dateTo: "1995-01-01", status: "O" }, "orderKey")).toBe(
      "orders_status-O_to-1995-01-01.csv",
    );
  });
});
