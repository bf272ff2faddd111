// The HTTP floor: what serving the orders API costs with no framework at all. node:http, a `pg` pool of the
// API's size, the API's own statements, pages and cursors (`@lakebase-orders/api/orders-sql`, through
// src/floor-sql.ts), the same JSON on the wire as tRPC's (`{"result":{"data":...}}`). No validation, no
// logging, no middleware: a floor, not an app.
// Usage: node floor-server.ts <postgresql-url> [--pool 10] [--workers 1]
// Prints one line `{"url": ...}` when every worker listens.
import cluster from "node:cluster";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { byKeyStatement, listPage, queryConfig, streamPage } from "@lakebase-orders/api/orders-sql";
import pg from "pg";
import {
  type Filters,
  listStatement,
  loadFigures,
  type Statement,
  streamStatementOf,
  TABLE,
} from "./src/floor-sql.ts";

const args = process.argv.slice(2);
const url = args[0];
if (!url) throw new Error("usage: node floor-server.ts <postgresql-url> [--pool 10] [--workers 1]");
const option = (name: string, fallback: number) =>
  args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback;
const POOL = option("--pool", 10);
const WORKERS = option("--workers", 1);

if (WORKERS > 1 && cluster.isPrimary) {
  // Workers share one listening socket; the primary only forks and reports the port.
  const port = await new Promise<number>((resolve) => {
    const probe = http.createServer().listen(0, "127.0.0.1", () => {
      const p = (probe.address() as AddressInfo).port;
      probe.close(() => resolve(p));
    });
  });
  let ready = 0;
  for (let i = 0; i < WORKERS; i++) {
    cluster.fork({ FLOOR_PORT: String(port) }).on("message", () => {
      if (++ready === WORKERS)
        process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
    });
  }
  process.once("SIGTERM", () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill("SIGTERM");
    process.exit(0);
  });
} else {
  const pool = new pg.Pool({ connectionString: url, max: POOL });
  pool.on("error", () => undefined);

  type Row = Record<string, unknown> & { orderKey: number };
  // As the API: bigint parsed as a number, so rows are the wire's orders as they arrive.
  const run = (statements: Statement[]) => Promise.all(statements.map((s) => pool.query(queryConfig(s))));
  const figures = await loadFigures(pool);
  const loadedAt = new Date().toISOString();

  type Input = Record<string, unknown> & { pageSize?: number } & Filters;
  const handlers: Record<string, (input: Input) => Promise<unknown>> = {
    byKey: async (input) => {
      const [r] = await run([byKeyStatement(TABLE, Number(input.orderKey))]);
      const row = r?.rows[0] as Row | undefined;
      if (!row) throw new Error("not found");
      return row;
    },
    list: async (input) => {
      const a = { page: 1, pageSize: 100, sort: "orderKey", includeCount: true, ...input };
      const [page] = await run([listStatement(a, figures)]);
      const rows = (page?.rows ?? []) as Row[];
      return listPage(a, rows, a.includeCount && figures ? figures.count(a) : null);
    },
    stream: async (input) => {
      const a = { pageSize: 100, direction: "forward" as const, ...input };
      const [r] = await run([streamStatementOf(a)]);
      return streamPage(a, (r?.rows ?? []) as Row[]);
    },
    // As the API: from the rollup in memory, no SQL.
    count: async (input) => ({
      totalOrders: figures?.count(input) ?? 0,
      computedAt: loadedAt,
      stale: false,
    }),
    stats: async (input) => ({
      ...(figures?.stats(input) ?? { totalOrders: 0, byStatus: [], byPriority: [] }),
      computedAt: loadedAt,
      ttlSeconds: 5,
      stale: false,
    }),
  };

  const server = http.createServer(async (req, res) => {
    const q = req.url?.indexOf("?") ?? -1;
    const path = q < 0 ? (req.url ?? "") : req.url!.slice(0, q);
    const handler = handlers[path.slice("/api/trpc/orders.".length)];
    try {
      if (!handler) throw new Error("no such procedure");
      const raw = q < 0 ? null : new URLSearchParams(req.url!.slice(q + 1)).get("input");
      const data = await handler(raw ? (JSON.parse(raw) as Input) : {});
      const body = JSON.stringify({ result: { data } });
      res.writeHead(200, { "content-type": "application/json" }).end(body);
    } catch (error) {
      res
        .writeHead(500, { "content-type": "application/json" })
        .end(JSON.stringify({ error: String(error) }));
    }
  });
  const port = Number(process.env.FLOOR_PORT ?? 0);
  server.listen(port, "127.0.0.1", () => {
    const address = server.address() as AddressInfo;
    if (cluster.isWorker) process.send?.("listening");
    else process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${address.port}` })}\n`);
  });
  process.once("SIGTERM", () => {
    server.close();
    pool.end().finally(() => process.exit(0));
  });
}
