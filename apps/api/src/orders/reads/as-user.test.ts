// Reads as the signed-in user (issue 28), end to end: the app as Databricks Apps runs it (identity and token
// from the proxy's headers) over a local Lakebase (Autoscaling endpoint), whose front door logs users in with
// their own credentials. Two analysts with different grants and row-level security policies read the same
// procedures, export and REST routes and see different rows; users without a role, a grant or CAN_USE get a
// clear 403; the connection cap answers 503 with Retry-After.
import type { WorkspaceClient } from "@databricks/sdk-experimental";
import { type LocalWorkspace, migrate, startLocalWorkspace } from "@lakebase-orders/api/testing";
import { loadConfig } from "@lakebase-orders/config";
import { createDbFromConfig, type Db } from "@lakebase-orders/db";
import { createOAuthRole, sdkFor } from "@lakebase-orders/lakebase-local/testing";
import { createLogger } from "@lakebase-orders/log";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp } from "../../http/app.ts";
import { TREND_NOT_AS_USER } from "../../routers/orders.ts";
import { type AppServices, buildServices } from "../../start/services.ts";
import { NO_DATABASE_ROLE } from "./as-user.ts";

const ADA = "ada@example.com"; // policy: urgent and high priorities
const BOB = "bob@example.com"; // policy: medium priority
const CARL = "carl@example.com"; // CAN_USE, but no Postgres role
const DAN = "dan@example.com"; // a role, but no grant on the orders
const EVE = "eve@example.com"; // a role, but no CAN_USE: Databricks refuses her a credential
const ADA_SEES = ["1-URGENT", "2-HIGH"];
const BOB_SEES = ["3-MEDIUM"];

let w: LocalWorkspace;
let db: Db;
let services: AppServices;
let app: App;
let admin: pg.Client;
const tokens: Record<string, string> = {};
const logs: string[] = [];

function appFor(env: Record<string, string>) {
  const config = loadConfig({
    ...w.env,
    DATABRICKS_APP_NAME: "lakebase-orders",
    TRUST_FORWARDED_HEADERS: undefined,
    LOCAL_IDENTITY: undefined,
    LAKEBASE_ENDPOINT: w.local.endpointName,
    ORDERS_INDEXES: "off",
    ORDERS_READ_AS_USER: "on",
    ...env,
  });
  const logger = createLogger({ write: (l) => logs.push(l), level: "debug" });
  const built = buildServices(config, db, { logger });
  return { services: built, app: createApp(built) };
}

beforeAll(async () => {
  w = await startLocalWorkspace("asuser", { rows: 300, flavor: "autoscaling" });
  const config = loadConfig({ ...w.env, LAKEBASE_ENDPOINT: w.local.endpointName });
  db = await createDbFromConfig(config, { pool: { max: 4 } });
  await migrate(db);
  ({ services, app } = appFor({}));

  const sdk: WorkspaceClient = sdkFor(w.local);
  const branch = w.local.branchName ?? "";
  const project = (w.local.projectName ?? "").replace(/^projects\//, "");
  for (const email of [ADA, BOB, CARL, DAN, EVE]) tokens[email] = w.local.addUser(email);
  for (const email of [ADA, BOB, DAN, EVE]) await createOAuthRole(sdk, branch, email);
  await sdk.permissions.set({
    request_object_type: "database-projects",
    request_object_id: project,
    access_control_list: [
      { user_name: w.local.identity, permission_level: "CAN_MANAGE" },
      ...[ADA, BOB, CARL, DAN].map((user_name) => ({ user_name, permission_level: "CAN_USE" as const })),
    ],
  });

  // The objects' owner grants and sets the policies (here the cluster's superuser stands in for the synced
  // table's owner: on Lakebase only the owner may enable row-level security on a table; see the README).
  const url = new URL(w.local.adminUrl);
  url.pathname = `/${w.names.databaseName}`;
  admin = new pg.Client({ connectionString: url.href });
  await admin.connect();
  const q = (s: string) => `"${s.replaceAll('"', '""')}"`;
  await admin.query(`
    GRANT USAGE ON SCHEMA app_data TO ${q(ADA)}, ${q(BOB)}, ${q(EVE)};
    GRANT SELECT ON app_data.order_status TO ${q(ADA)}, ${q(BOB)}, ${q(EVE)};
    REVOKE ALL ON public.orders_synced FROM PUBLIC;
    GRANT SELECT ON public.orders_synced TO ${q(ADA)}, ${q(BOB)}, ${q(EVE)};
    CREATE TABLE public.analyst_priorities (analyst name NOT NULL, priority text NOT NULL);
    INSERT INTO public.analyst_priorities VALUES
      ${[...ADA_SEES.map((p) => `('${ADA}', '${p}')`), ...BOB_SEES.map((p) => `('${BOB}', '${p}')`)].join(", ")};
    GRANT SELECT ON public.analyst_priorities TO PUBLIC;
    ALTER TABLE public.orders_synced ENABLE ROW LEVEL SECURITY;
    CREATE POLICY analysts_see_their_priorities ON public.orders_synced FOR SELECT USING (
      o_orderpriority IN (SELECT priority FROM public.analyst_priorities WHERE analyst = current_user));
    CREATE POLICY the_app_sees_all ON public.orders_synced FOR SELECT TO ${q(w.local.identity)} USING (true);
  `);
}, 180_000);

afterAll(async () => {
  await services?.close();
  await admin?.end();
  await db?.disconnect();
  await w?.close();
});

function headersOf(email: string, token = tokens[email]): Record<string, string> {
  return { "X-Forwarded-Email": email, ...(token ? { "X-Forwarded-Access-Token": token } : {}) };
}

async function trpc<T>(on: App, procedure: string, email: string, input: unknown = {}, token?: string) {
  const response = await on.request(
    `http://api.test/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`,
    { headers: headersOf(email, token) },
  );
  const body = (await response.json()) as { result?: { data: T }; error?: { message: string } };
  return {
    status: response.status,
    data: body.result?.data as T,
    error: body.error,
    headers: response.headers,
  };
}

async function get(on: App, path: string, email: string) {
  const response = await on.request(`http://api.test${path}`, { headers: headersOf(email) });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

/** What the table holds per priority, as its owner sees it (no policy applies to the superuser). */
async function ownerCount(priorities: string[]): Promise<number> {
  const { rows } = await admin.query<{ n: string }>(
    "SELECT count(*) AS n FROM public.orders_synced WHERE o_orderpriority = ANY($1)",
    [priorities],
  );
  return Number(rows[0]?.n);
}

describe("reads as the signed-in user (ORDERS_READ_AS_USER=on)", () => {
  it("two analysts read the same list, count, export and REST routes and each sees their own rows", async () => {
    const [adaTotal, bobTotal, everything] = await Promise.all([
      ownerCount(ADA_SEES),
      ownerCount(BOB_SEES),
      ownerCount(["1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED", "5-LOW"]),
    ]);
    expect(adaTotal).toBeGreaterThan(0);
    expect(bobTotal).toBeGreaterThan(0);
    expect(adaTotal + bobTotal).toBeLessThan(everything);

    for (const [email, sees, total] of [
      [ADA, ADA_SEES, adaTotal],
      [BOB, BOB_SEES, bobTotal],
    ] as const) {
      const list = await trpc<{ orders: { priority: string }[]; totalCount: number | null }>(
        app,
        "orders.list",
        email,
        { pageSize: 1000, includeCount: true },
      );
      expect(list.status, JSON.stringify(list.error)).toBe(200);
      expect(list.data.orders).toHaveLength(total);
      expect(new Set(list.data.orders.map((o) => o.priority))).toEqual(new Set(sees));

      const count = await trpc<{ totalOrders: number }>(app, "orders.count", email);
      expect(count.data.totalOrders).toBe(total);

      const csv = await get(app, "/api/export/orders.csv?columns=orderKey,priority&format=api", email);
      expect(csv.status).toBe(200);
      const lines = csv.text.trim().split("\n").slice(1);
      expect(lines).toHaveLength(total);
      expect(new Set(lines.map((l) => l.split(",")[1]?.replaceAll('"', "")))).toEqual(new Set(sees));

      const rest = await get(app, "/api/v1/orders/count", email);
      expect([rest.status, JSON.parse(rest.text)]).toEqual([200, { total_orders: total }]);
      const page = await get(app, "/api/v1/orders/pages?page_size=1000", email);
      const orders = (JSON.parse(page.text) as { orders: { o_orderpriority: string }[] }).orders;
      expect(orders).toHaveLength(total);
      expect(new Set(orders.map((o) => o.o_orderpriority))).toEqual(new Set(sees));
    }

    // The rollup (the whole table's figures) never answers for a user; the trend's grid is refused.
    const trend = await trpc(app, "orders.trend", ADA);
    expect([trend.status, trend.error?.message]).toEqual([412, TREND_NOT_AS_USER]);
    // Each user logged in as themselves, on their own pool, with a credential asked for with their token.
    const { rows } = await admin.query<{ usename: string }>(
      "SELECT DISTINCT usename FROM pg_stat_activity WHERE application_name = 'lakebase-orders-user'",
    );
    expect(rows.map((r) => r.usename).sort()).toEqual([ADA, BOB]);
    expect(services.userReads?.stats()).toMatchObject({ users: 2, credentialCalls: 2 });
  });

  it("refuses a user without a role, a grant or CAN_USE with a clear 403, only that user, never a 500", async () => {
    const carl = await trpc(app, "orders.list", CARL);
    expect([carl.status, carl.error?.message]).toEqual([403, NO_DATABASE_ROLE]);
    const carlRest = await get(app, "/api/v1/orders/count", CARL);
    expect([carlRest.status, JSON.parse(carlRest.text)]).toEqual([403, { detail: NO_DATABASE_ROLE }]);
    const carlCsv = await get(app, "/api/export/orders.csv", CARL);
    expect([carlCsv.status, JSON.parse(carlCsv.text)]).toEqual([403, { detail: NO_DATABASE_ROLE }]);

    const dan = await trpc(app, "orders.count", DAN);
    expect(dan.status).toBe(403);
    expect(dan.error?.message).toMatch(/may not read the orders/);
    const eve = await trpc(app, "orders.count", EVE);
    expect(eve.status).toBe(403);
    expect(eve.error?.message).toMatch(/refused you a database credential/);
    // A signed-in user whose request carries no token is refused, not served as the app.
    const noToken = await trpc(app, "orders.count", ADA, {}, "");
    expect(noToken.status).toBe(403);

    // The others are untouched.
    const ada = await trpc<{ totalOrders: number }>(app, "orders.count", ADA);
    expect(ada.status).toBe(200);
  });

  it("replaces a user's pool when their token changes", async () => {
    const before = services.userReads?.stats()?.replaced ?? 0;
    tokens[BOB] = w.local.addUser(BOB);
    // A list page (its rows are never cached) needs a connection: the new token's.
    const bob = await trpc(app, "orders.list", BOB);
    expect(bob.status).toBe(200);
    expect(services.userReads?.stats()?.replaced).toBe(before + 1);
  });

  it("holds the connection cap: a read over it waits, then gets 503 with Retry-After", async () => {
    const capped = appFor({ USER_POOLS_MAX_CONNECTIONS: "1", USER_POOL_WAIT_MILLIS: "300" });
    try {
      // Ada holds her one connection, as a read in flight does.
      const ada = capped.services.userReads?.readerFor(
        { actor: ADA, email: ADA, source: "databricks-apps" },
        tokens[ADA] ?? null,
      );
      const held = await ada?.lease();
      await held?.pool.query("SELECT 1");
      const bob = await trpc(capped.app, "orders.list", BOB);
      expect(bob.status).toBe(503);
      expect(bob.headers.get("Retry-After")).toBe("1");
      const rest = await get(capped.app, "/api/v1/orders/pages", BOB);
      expect([rest.status, rest.headers.get("Retry-After")]).toEqual([503, "1"]);
      expect(capped.services.userReads?.stats()).toMatchObject({ open: 1, cap: 1 });
      held?.release();
      // Her pool is idle now: at the cap it is evicted for Bob.
      // (A list without its count: one connection; with it, two at once.)
      const again = await trpc(capped.app, "orders.list", BOB, { includeCount: false });
      expect(again.status, JSON.stringify([again.error, capped.services.userReads?.stats()])).toBe(200);
      expect(capped.services.userReads?.stats()).toMatchObject({ evicted: 1 });
    } finally {
      await capped.services.close();
    }
  });
});
