// Databricks' own Lakebase Autoscaling driver (`@databricks/lakebase`, unchanged) against the local
// Lakebase, in a process of its own whose environment is only what Databricks Apps gives an app with a
// `postgres` resource: the workspace host and the service principal's OAuth credentials, the PG* variables,
// and LAKEBASE_ENDPOINT (app.yaml `valueFrom: postgres`). NODE_EXTRA_CA_CERTS stands in for the public CA
// that signs Lakebase's certificate (PGSSLMODE=require verifies it, as the driver does).
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type LakebaseLocal, startLakebaseLocal } from "@lakebase-orders/lakebase-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROWS = 120;
const SP = { clientId: "5c1e9a4f-driver-sp", clientSecret: "driver-sp-secret" };
// The driver resolves from this package (its devDependency), as an app's own import would.
const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));

let local: LakebaseLocal;

beforeAll(async () => {
  local = await startLakebaseLocal({
    flavor: "autoscaling",
    servicePrincipals: [SP],
    sourceRows: ROWS,
    timings: { instanceStartMs: 0, instanceDeleteMs: 0, pipelineStepMs: 0 },
    seed: {
      instanceName: "driver-it",
      catalogName: "driver_it",
      databaseName: "orders",
      syncedTable: "public.orders_synced",
    },
  });
}, 120_000);

afterAll(async () => {
  await local?.stop();
});

const SCRIPT = `
import { createLakebasePool } from "@databricks/lakebase";
const pool = createLakebasePool();
try {
  const { rows } = await pool.query("SELECT count(*)::int AS n, current_user AS me, inet_server_port() IS NOT NULL AS tcp FROM public.orders_synced");
  process.stdout.write(JSON.stringify(rows[0]));
} finally {
  await pool.end();
}
`;

describe("@databricks/lakebase, unchanged", () => {
  it("connects to a local endpoint with only the Apps environment and reads the synced table", async () => {
    const credentials = () => local.counters().routes["POST /api/2.0/postgres/credentials"] ?? 0;
    const before = credentials();
    const env = {
      DATABRICKS_HOST: local.restUrl,
      DATABRICKS_CLIENT_ID: SP.clientId,
      DATABRICKS_CLIENT_SECRET: SP.clientSecret,
      DATABRICKS_APP_NAME: "lakebase-orders",
      PGHOST: "127.0.0.1",
      PGPORT: String(local.endpointPort),
      PGDATABASE: "orders",
      PGUSER: SP.clientId,
      PGSSLMODE: "require",
      LAKEBASE_ENDPOINT: local.endpointName ?? "",
      NODE_EXTRA_CA_CERTS: local.caFile,
    };
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", SCRIPT], {
      cwd: PACKAGE_DIR,
      env,
      timeout: 30_000,
    });
    expect(JSON.parse(stdout)).toEqual({ n: ROWS, me: SP.clientId, tcp: true });
    // Its password was an endpoint credential of the `postgres` API, as on Databricks.
    expect(credentials()).toBe(before + 1);
  });
});
