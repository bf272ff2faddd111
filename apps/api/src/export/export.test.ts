import { createOrdersFixture, type OrdersFixture } from "@lakebase-orders/api/testing";
import { loadConfig } from "@lakebase-orders/config";
import { createLogger } from "@lakebase-orders/log";
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

/** Keys in order, written apart from the export's SQL. */
async function truthKeys(where: string, orderBy: string): Promise<number[]> {
  const { rows } = await f.db.pool.query<{ k: string }>(
    `SELECT o.o_orderkey AS k FROM public.orders_synced o
       LEFT JOIN app_data.order_status s ON s.order_key = o.o_orderkey
      WHERE ${where} ORDER BY ${orderBy}`,
  );
  return rows.map((r) => Number(r.k));
}

describe("GET /api/export/orders.csv", () => {
  it("streams every order as CSV, in key order, with a header of the API's field names", async () => {
    const res = await exportOf("");
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
    const res = await exportOf("?columns=totalPrice,orderKey,status&sort=orderDate&dateTo=1992-03-01");
    const rows = parseCsv(await res.text());
    expect(rows[0]).toEqual(["totalPrice", "orderKey", "status"]);
    expect(rows.slice(1).every((r) => r.length === 3 && /^\d+\.\d{2}$/.test(r[0]!))).toBe(true);
    expect(rows.slice(1).map((r) => Number(r[1]))).toEqual(
      await truthKeys("o.o_orderdate <= '1992-03-01'", "o.o_orderdate, o.o_orderkey"),
    );
  });

  it("makes cells a spreadsheet would run as formulas harmless, and keeps quotes, commas and line breaks", async () => {
    const rows = parseCsv(await (await exportOf("?columns=orderKey,comment&dateFrom=1900-01-01")).text());
    const comments = new Map(rows.slice(1).map((r) => [Number(r[0]), r[1]]));
    expect(hostileKeys.map((k) => comments.get(k))).toEqual([
      `'${HOSTILE[0]}`,
      "'+1+2",
      "'-2+3",
      "'@SUM(A1:A2)",
      "'\tcmd",
      "'\r=1",
      HOSTILE[6],
      HOSTILE[7],
    ]);
    // No cell of any column starts with a formula character.
    const all = parseCsv(await (await exportOf("")).text()).slice(1);
    for (const row of all) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it("refuses bad filters, sorts and columns with 400 and a reason, like orders.list", async () => {
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
    ]) {
      const res = await exportOf(query);
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { detail: string }).detail, query).toMatch(/\w+: /);
    }
  });

  it("runs one export per caller: a newer one replaces (cancels) the running one; a cancelled download frees its connection", async () => {
    const copies = async () => {
      const { rows } = await f.db.pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'COPY (SELECT%' AND pid <> pg_backend_pid()",
      );
      return rows[0]?.n;
    };
    // Held back by an unread download, the first copy is still running on the server.
    const first = await exportOf("?sort=totalPrice");
    expect(first.status).toBe(200);
    const firstReader = first.body!.getReader();
    await firstReader.read();
    expect(await copies()).toBe(1);
    // The same caller again: the first is cancelled (its download ends early), the second runs.
    const second = await exportOf("?status=O");
    expect(second.status).toBe(200);
    await expect(
      (async () => {
        for (;;) if ((await firstReader.read()).done) return;
      })(),
    ).rejects.toThrow();
    const secondRows = parseCsv(await second.text());
    expect(secondRows.length - 1).toBe((await f.client.orders.count.query({ status: "O" })).totalOrders);

    // Another caller runs beside; walking away from a download stops its COPY on the server.
    const other = await exportOf("?status=P", { headers: { "X-Forwarded-Email": "other@example.com" } });
    expect(other.status).toBe(200);
    const reader = other.body!.getReader();
    await reader.read();
    await reader.cancel();
    await expect.poll(copies).toBe(0);
    // The pool still answers (the cancelled copies' connections were closed, not returned mid-COPY).
    expect((await f.client.orders.count.query()).totalOrders).toBe(ROWS);
    expect(f.logs.some((l) => l.includes('"export finished"') && l.includes(`"rows":`))).toBe(true);
    expect(f.logs.some((l) => l.includes('"export ended early"'))).toBe(true);
  });

  it("runs at most two exports at once in the process (429 with Retry-After for a third caller)", async () => {
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
