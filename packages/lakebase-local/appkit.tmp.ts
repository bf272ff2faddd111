import { spawn } from "node:child_process";
import { startLakebaseLocal } from "./src/index.ts";
import { createOAuthRole, sdkFor } from "./testing/index.ts";

const SP = { clientId: "6a1b2c3d-0000-4000-8000-00000000abcd", clientSecret: "sp-secret" };
const local = await startLakebaseLocal({
  sourceRows: 100,
  servicePrincipals: [SP],
  suspendAfterMs: 3000,
  timings: { instanceStartMs: 30, instanceDeleteMs: 20, pipelineStepMs: 40 },
  seed: {
    instanceName: "orders-local",
    catalogName: "orders_catalog",
    databaseName: "orders",
    syncedTable: "public.orders_synced",
  },
});
const w = sdkFor(local);
const alice = local.addUser("alice@example.com");
await createOAuthRole(w, local.branchName!, "alice@example.com");
await w.permissions.set({
  request_object_type: "database-projects" as never,
  request_object_id: "orders-local",
  access_control_list: [
    { user_name: local.identity, permission_level: "CAN_MANAGE" },
    { user_name: "alice@example.com", permission_level: "CAN_USE" },
  ],
});
const env = {
  PATH: process.env.PATH!,
  HOME: "/tmp/appkit-scratch2",
  DATABRICKS_HOST: local.restUrl,
  DATABRICKS_CLIENT_ID: SP.clientId,
  DATABRICKS_CLIENT_SECRET: SP.clientSecret,
  DATABRICKS_APP_NAME: "probe",
  DATABRICKS_APP_PORT: "47991",
  PGHOST: local.pgHost,
  PGPORT: String(local.endpointPort),
  PGDATABASE: "orders",
  PGUSER: SP.clientId,
  PGSSLMODE: "require",
  PGAPPNAME: "probe",
  NODE_EXTRA_CA_CERTS: local.caFile,
  LAKEBASE_ENDPOINT: local.endpointName!,
};
const app = spawn(process.execPath, ["app2.mjs"], {
  cwd: "/tmp/appkit-scratch2",
  env,
  stdio: ["ignore", "pipe", "pipe"],
});
let out = "";
app.stdout.on("data", (d) => (out += d));
app.stderr.on("data", (d) => (out += d));
const t0 = Date.now();
for (let i = 0; i < 100; i++) {
  try {
    const r = await fetch("http://127.0.0.1:47991/sp");
    if (r.status) break;
  } catch {}
  await new Promise((r) => setTimeout(r, 200));
}
console.log("app up after", Date.now() - t0, "ms");
console.log("/sp", await (await fetch("http://127.0.0.1:47991/sp")).text());
console.log(
  "/me alice",
  await (
    await fetch("http://127.0.0.1:47991/me", {
      headers: {
        "x-forwarded-access-token": alice,
        "x-forwarded-user": "111",
        "x-forwarded-email": "alice@example.com",
      },
    })
  ).text(),
);
const bob = local.addUser("bob@example.com");
console.log(
  "/me bob (no role)",
  await (
    await fetch("http://127.0.0.1:47991/me", {
      headers: {
        "x-forwarded-access-token": bob,
        "x-forwarded-user": "222",
        "x-forwarded-email": "bob@example.com",
      },
    })
  ).text(),
);
// scale to zero under AppKit: idle -> suspended; next request wakes it
await new Promise((r) => setTimeout(r, 5000));
console.log("computes after idle", JSON.stringify(local.counters().computes));
const t1 = Date.now();
console.log(
  "/sp after suspend",
  await (await fetch("http://127.0.0.1:47991/sp")).text(),
  Date.now() - t1,
  "ms",
);
console.log("computes", JSON.stringify(local.counters().computes));
console.log("routes", JSON.stringify(local.counters().routes));
app.kill();
await new Promise((r) => setTimeout(r, 300));
console.log(
  "app log:",
  out
    .split("\n")
    .filter((l) => !l.trim().startsWith("at "))
    .slice(0, 15)
    .join("\n"),
);
await local.stop();
