import { openBenchData } from "./src/data.ts";
import { buildApi, startApi } from "./src/servers.ts";

const data = await openBenchData(1500000, { log: () => {} });
await buildApi();
const api = await startApi(data.url, { CLUSTER_WORKERS: "1" });
for (const p of [
  "/api/trpc/orders.byKey?input=" + encodeURIComponent('{"orderKey":1}'),
  "/api/trpc/orders.byKey?input=" + encodeURIComponent('{"orderKey":1}') + "&x=1",
  "/api/health",
  "/api/trpc/lakebase.status",
]) {
  const r = await fetch(api.url + p);
  console.log(
    r.status,
    r.headers.get("x-request-id"),
    r.headers.get("content-type"),
    r.headers.get("vary"),
    (await r.text()).slice(0, 60),
  );
}
await api.stop();
await data.postgres.stop();
