// The peer (issue 27 item 8): what a Databricks developer writes instead of this stack, the smallest AppKit
// app that serves orders from Lakebase. Databricks' own kit in its documented shape (createApp with
// lakebase() + server(), routes added with `appkit.server.extend`, queries through `appkit.lakebase.query`),
// as tests/appkit/app/server.ts runs it, with the two routes the bench compares: a key lookup and a page.
// It gets only what Databricks Apps gives an app with a `postgres` resource, plus NODE_EXTRA_CA_CERTS for the
// local CA (TLS verified). Rows have the wire shape of ours (same aliases and text casts), without our status
// overlay join: a minimal app has no app-side state.
import { createApp, lakebase, server } from "@databricks/appkit";

// What the routes use of Express's request and response (AppKit's types name express, whose own types are
// not a dependency of AppKit).
interface Request {
  params: Record<string, string>;
  query: Record<string, unknown>;
}
interface Response {
  status(code: number): Response;
  json(body: unknown): void;
}

const COLUMNS = `o_orderkey AS "orderKey", o_custkey AS "custKey", o_orderstatus AS status,
  o_totalprice::text AS "totalPrice", to_char(o_orderdate, 'YYYY-MM-DD') AS "orderDate",
  o_orderpriority AS priority, o_clerk AS clerk, o_shippriority AS "shipPriority", o_comment AS comment`;

const positive = (value: unknown, fallback: number, max: number): number | null => {
  const n = value === undefined ? fallback : Number(value);
  return Number.isSafeInteger(n) && n >= 1 && n <= max ? n : null;
};

await createApp({
  plugins: [lakebase(), server()],
  onPluginsReady(appkit) {
    appkit.server.extend((app) => {
      app.get("/api/orders/:key", async (req: Request, res: Response) => {
        const key = positive(req.params.key, 0, Number.MAX_SAFE_INTEGER);
        if (key === null) {
          res.status(400).json({ error: "the order key is a positive integer" });
          return;
        }
        const result = await appkit.lakebase.query(
          `SELECT ${COLUMNS} FROM public.orders_synced WHERE o_orderkey = $1`,
          [key],
        );
        const row = result.rows[0];
        if (row) res.json(row);
        else res.status(404).json({ error: "no such order" });
      });
      app.get("/api/orders", async (req: Request, res: Response) => {
        const page = positive(req.query.page, 1, 1_000_000);
        const size = positive(req.query.page_size, 50, 500);
        if (page === null || size === null) {
          res.status(400).json({ error: "page and page_size are positive integers (page_size at most 500)" });
          return;
        }
        const result = await appkit.lakebase.query(
          `SELECT ${COLUMNS} FROM public.orders_synced ORDER BY o_orderkey LIMIT $1 OFFSET $2`,
          [size, (page - 1) * size],
        );
        res.json({ page, pageSize: size, orders: result.rows });
      });
    });
  },
});
