// The smallest AppKit app that reads Lakebase: Databricks' own kit (lakebase() + server()), as the
// app-templates `appkit-lakebase` shapes it, with one route. Nothing here knows it runs locally: it gets only
// what Databricks Apps gives an app with a `postgres` resource (DATABRICKS_HOST/CLIENT_ID/CLIENT_SECRET,
// DATABRICKS_APP_PORT, PG*, LAKEBASE_ENDPOINT from app.yaml's valueFrom), and Node's NODE_EXTRA_CA_CERTS.
import { createApp, lakebase, server } from "@databricks/appkit";

// What the route uses of Express's request and response (AppKit's types name express, whose own types are
// not a dependency of AppKit).
interface Request {
  params: Record<string, string>;
}
interface Response {
  status(code: number): Response;
  json(body: unknown): void;
}

await createApp({
  plugins: [lakebase(), server()],
  onPluginsReady(appkit) {
    appkit.server.extend((app) => {
      app.get("/api/orders/:key", async (req: Request, res: Response) => {
        const key = Number(req.params.key);
        if (!Number.isSafeInteger(key) || key < 1) {
          res.status(400).json({ error: "the order key is a positive integer" });
          return;
        }
        const result = await appkit.lakebase.query<{ o_orderkey: string; o_totalprice: string }>(
          "SELECT o_orderkey, o_totalprice::text AS o_totalprice FROM public.orders_synced WHERE o_orderkey = $1",
          [key],
        );
        const row = result.rows[0];
        if (row) res.json(row);
        else res.status(404).json({ error: "no such order" });
      });
    });
  },
});
