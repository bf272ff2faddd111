/**
 * Reads as the signed-in user (issue 28) under load, against the local Lakebase (Autoscaling endpoint, TLS):
 * one API server with ORDERS_READ_AS_USER=on; in the same run, the app's own path (anonymous callers keep it)
 * and then USERS distinct signed-in users, each with a role, CAN_USE and a grant, all reading at once.
 * Reports p50/p99 of each path (REST `GET /api/v1/orders/pages`, no count), the users' first requests (a
 * credential call and a login each), and the most connections of the users' pools `pg_stat_activity` saw
 * against USER_POOLS_MAX_CONNECTIONS.
 * Usage: pnpm --filter @lakebase-orders/bench user-reads [--users 50] [--requests 20] [--cap 20]
 */
import { configFor, startLocalWorkspace, startTestServer } from "@lakebase-orders/api/testing";
import { createOAuthRole, sdkFor } from "@lakebase-orders/lakebase-local/testing";
import pg from "pg";

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const USERS = flag("--users", 50);
const REQUESTS = flag("--requests", 20);
const CAP = flag("--cap", 20);
const PER_USER = 3;
const PATH = "/api/v1/orders/pages?page_size=50&include_count=false";

const w = await startLocalWorkspace("bench-asuser", { rows: 5000, flavor: "autoscaling" });
let server: Awaited<ReturnType<typeof startTestServer>> | undefined;
const admin = new pg.Client({ connectionString: adminUrl() });
try {
  const base = { ...w.env, LAKEBASE_ENDPOINT: w.local.endpointName ?? "" };
  // Ready means migrated: app_data exists for the grants below.
  server = await startTestServer(
    configFor(w, {
      ...base,
      DATABRICKS_APP_NAME: "lakebase-orders",
      TRUST_FORWARDED_HEADERS: undefined,
      LOCAL_IDENTITY: undefined,
      ORDERS_INDEXES: "off",
      ORDERS_READ_AS_USER: "on",
      USER_POOL_MAX: String(PER_USER),
      USER_POOLS_MAX_CONNECTIONS: String(CAP),
      USER_POOL_WAIT_MILLIS: "10000",
    }),
    { until: "ready", logLevel: "warn" },
  );

  const sdk = sdkFor(w.local);
  const emails = Array.from({ length: USERS }, (_, i) => `analyst${i}@example.com`);
  const tokens = new Map(emails.map((e) => [e, w.local.addUser(e)]));
  for (const email of emails) await createOAuthRole(sdk, w.local.branchName ?? "", email);
  await sdk.permissions.set({
    request_object_type: "database-projects",
    request_object_id: (w.local.projectName ?? "").replace(/^projects\//, ""),
    access_control_list: [
      { user_name: w.local.identity, permission_level: "CAN_MANAGE" },
      ...emails.map((user_name) => ({ user_name, permission_level: "CAN_USE" as const })),
    ],
  });
  await admin.connect();
  const roles = emails.map((e) => pg.escapeIdentifier(e)).join(", ");
  await admin.query(`GRANT USAGE ON SCHEMA app_data TO ${roles};
    GRANT SELECT ON app_data.order_status TO ${roles};
    GRANT SELECT ON public.orders_synced TO ${roles};`);

  const url = `${server.url}${PATH}`;
  const statuses = new Map<number, number>();
  const get = async (headers: Record<string, string>): Promise<number> => {
    const started = performance.now();
    const response = await fetch(url, { headers });
    await response.arrayBuffer();
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    return performance.now() - started;
  };
  // USERS callers at once, REQUESTS each, one after another per caller.
  const run = async (headersOf: (i: number) => Record<string, string>, firsts?: number[]) => {
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: USERS }, async (_, i) => {
        for (let r = 0; r < REQUESTS; r++) {
          const ms = await get(headersOf(i));
          if (r === 0 && firsts) firsts.push(ms);
          else times.push(ms);
        }
      }),
    );
    return times;
  };

  await run(() => ({})); // warm-up of the app's pool and plans
  const app = await run(() => ({}));
  let most = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const { rows } = await admin.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'lakebase-orders-user'",
      );
      most = Math.max(most, rows[0]?.n ?? 0);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const firsts: number[] = [];
  const user = await run((i) => {
    const email = emails[i] ?? "";
    return { "X-Forwarded-Email": email, "X-Forwarded-Access-Token": tokens.get(email) ?? "" };
  }, firsts);
  sampling = false;
  await sampler;
  const appAgain = await run(() => ({}));

  const pct = (xs: number[], p: number) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  };
  const line = (name: string, xs: number[]) =>
    console.log(
      `${name.padEnd(34)} n=${String(xs.length).padStart(5)}  p50=${pct(xs, 50).toFixed(1).padStart(7)} ms  p99=${pct(xs, 99).toFixed(1).padStart(7)} ms`,
    );
  console.log(`${USERS} callers x ${REQUESTS} requests, GET ${PATH}`);
  line("app's path (before)", app);
  line("as the user (warm pools)", user);
  line("as the user (first request each)", firsts);
  line("app's path (after)", appAgain);
  console.log(
    `users' connections in pg_stat_activity: most ${most}, cap ${CAP} (USER_POOL_MAX ${PER_USER} x ${USERS} users would be ${PER_USER * USERS})`,
  );
  console.log(`statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
  console.log(`user pools: ${JSON.stringify(server.services.userReads?.stats())}`);
} finally {
  await admin.end().catch(() => undefined);
  await server?.close();
  await w.close();
}

function adminUrl(): string {
  const url = new URL(w.local.adminUrl);
  url.pathname = `/${w.names.databaseName}`;
  return url.href;
}
