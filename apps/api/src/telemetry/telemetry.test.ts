// Telemetry end to end: the app over a local Lakebase (token-injected pool), exporting to a real OTLP
// receiver on localhost over each protocol; the spans' parent chain, the metrics and the log correlation.

import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from "@lakebase-orders/api/testing";
import { type AppConfig, loadConfig, type OtlpProtocol } from "@lakebase-orders/config";
import { type LakebaseLocal, startLakebaseLocal } from "@lakebase-orders/lakebase-local";
import { createLogger } from "@lakebase-orders/log";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../http/app.ts";
import { createServices } from "../start/services.ts";
import { startTelemetry } from "./index.ts";

const SEED = {
  instanceName: "orders-otel",
  catalogName: "otel_catalog",
  databaseName: "orders",
  syncedTable: "otel_catalog.public.orders_synced",
};
const SERVER = 2;
const CLIENT = 3;
const INTERNAL = 1;

let local: LakebaseLocal;
let receiver: OtlpReceiver;

beforeAll(async () => {
  const adminUrl = process.env.PG_LOCAL_ADMIN_URL;
  [local, receiver] = await Promise.all([
    startLakebaseLocal({
      ...(adminUrl ? { postgres: { adminUrl } } : {}),
      timings: { instanceStartMs: 0, instanceDeleteMs: 0, pipelineStepMs: 0 },
      sourceRows: 500,
      seed: SEED,
    }),
    startOtlpReceiver(),
  ]);
}, 60_000);

afterAll(async () => {
  await receiver?.close();
  await local?.stop();
});

function configFor(otel: Record<string, string>): AppConfig {
  return loadConfig({
    DATABRICKS_HOST: local.restUrl,
    DATABRICKS_TOKEN: local.workspaceToken,
    LAKEBASE_INSTANCE_NAME: SEED.instanceName,
    LAKEBASE_CATALOG_NAME: SEED.catalogName,
    LAKEBASE_DATABASE_NAME: SEED.databaseName,
    LAKEBASE_SYNCED_TABLE: SEED.syncedTable,
    PGPORT: String(local.pgPort),
    PGSSLMODE: "disable",
    ...otel,
  });
}

/** The app as the server builds it, with its log lines kept; requests go through app.request. */
async function startApp(config: AppConfig) {
  const logs: Record<string, unknown>[] = [];
  const telemetry = await startTelemetry(config.telemetry);
  const logger = createLogger({
    write: (l) => logs.push(JSON.parse(l)),
    ...(telemetry.logContext && { context: telemetry.logContext }),
  });
  const services = await createServices(config, { logger, telemetry });
  // As startServer does: reach and migrate the database in the background (outside any span: not traced).
  services.start();
  await services.readiness.whenReady();
  const app = createApp(services);
  const get = (path: string, headers: Record<string, string> = {}) =>
    app.request(`http://api.test${path}`, { headers });
  return {
    services,
    telemetry,
    logs,
    get,
    async stop() {
      await services.close();
      await telemetry.shutdown();
    },
  };
}

const trpc = (procedure: string, input?: unknown) =>
  `/api/trpc/${procedure}${input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`}`;

function ids() {
  const hex = (n: number) =>
    Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join("");
  const traceId = hex(32);
  const parentId = hex(16);
  return { traceId, parentId, traceparent: `00-${traceId}-${parentId}-01` };
}

/** A request's spans: its server span, the procedures' child spans (a batch's) and the SQL spans under either. */
function chainOf(spans: ReceivedSpan[], traceId: string) {
  const inTrace = spans.filter((s) => s.traceId === traceId);
  const http = inTrace.find((s) => s.kind === SERVER);
  const procedures = inTrace.filter((s) => s.kind === INTERNAL && s.parentSpanId === http?.spanId);
  const parents = new Set([http?.spanId, ...procedures.map((p) => p.spanId)]);
  const sql = inTrace.filter((s) => s.kind === CLIENT && parents.has(s.parentSpanId));
  return { http, procedures, sql };
}

describe.each<OtlpProtocol>(["http/json", "http/protobuf", "grpc"])("telemetry over %s", (protocol) => {
  it("exports the request's span (its one procedure's) -> SQL chain, the metrics, and logs carry the trace", async () => {
    receiver.clear();
    const config = configFor({
      OTEL_EXPORTER_OTLP_ENDPOINT: protocol === "grpc" ? receiver.grpcUrl : receiver.httpUrl,
      OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      OTEL_EXPORTER_OTLP_HEADERS: "x-api-key=k%3D1",
      OTEL_SERVICE_NAME: "orders-under-test",
      OTEL_RESOURCE_ATTRIBUTES: "workspace.id=42,app.name=orders-under-test",
      TELEMETRY_SQL_SPAN_RATIO: "1",
    });
    const app = await startApp(config);
    const caller = ids();
    let missing: Response;
    try {
      const found = await app.get(trpc("orders.byKey", { orderKey: 1 }), { traceparent: caller.traceparent });
      expect(found.status).toBe(200);
      missing = await app.get(trpc("orders.byKey", { orderKey: 999_999_999 }));
      expect((await app.get(trpc("orders.count"))).status).toBe(200);
      expect((await app.get(trpc("orders.count"))).status).toBe(200); // a fresh hit of the count cache
    } finally {
      await app.stop(); // flushes the batch of spans and a last collection of metrics
    }
    expect(missing.status).toBe(404);
    await receiver.waitFor(() =>
      ["traces", "metrics"].every((s) => receiver.requests.some((r) => r.signal === s)),
    );

    // Traces: the caller's trace continues into the request, which carried one procedure: the request's span
    // is the procedure's (named after it, rpc.* beside http.*), its SQL spans are its children.
    const { http, procedures, sql } = chainOf(receiver.spans, caller.traceId);
    expect(http).toMatchObject({
      parentSpanId: caller.parentId,
      name: "trpc orders.byKey",
      attributes: {
        "http.request.method": "GET",
        "http.route": "/api/trpc/*",
        "http.response.status_code": 200,
        "rpc.system": "trpc",
        "rpc.method": "orders.byKey",
        "trpc.procedure.type": "query",
      },
      statusCode: 0,
      resource: { "service.name": "orders-under-test", "workspace.id": "42" },
    });
    expect(procedures).toEqual([]);
    expect(sql.length).toBeGreaterThan(0);
    // The read of the row (the change feed may catch up beside it, in the same procedure).
    const read = sql.find((s) => String(s.attributes["db.query.summary"]).includes("orders_synced"));
    expect(read?.attributes).toMatchObject({
      "db.system.name": "postgresql",
      "db.operation.name": "SELECT",
      "db.namespace": "orders",
    });
    expect(String(read?.attributes["db.query.text"])).toContain("orders_synced");
    expect(read?.name).toBe(read?.attributes["db.query.summary"]);
    expect(read?.attributes["db.query.summary"]).toMatch(/^SELECT .*orders_synced$/);
    // The statement's later spans name it (summary, identity) without its full text.
    const statement = read?.attributes["lakebase_orders.db.statement"];
    const again = receiver.spans.filter(
      (s) => s.kind === CLIENT && s.attributes["lakebase_orders.db.statement"] === statement,
    );
    expect(again.length).toBeGreaterThan(1);
    expect(again.filter((s) => "db.query.text" in s.attributes)).toHaveLength(1);
    // A client's NOT_FOUND is recorded on its procedure, without marking the span failed.
    const notFound = receiver.spans.find(
      (s) => s.name === "trpc orders.byKey" && s.attributes["error.type"] === "NOT_FOUND",
    );
    expect(notFound).toMatchObject({ kind: SERVER, statusCode: 0 });
    expect(notFound?.attributes["http.response.status_code"]).toBe(404);
    // The configured headers went with every export.
    expect(receiver.requests.every((r) => r.headers["x-api-key"] === "k=1")).toBe(true);
    expect(new Set(receiver.requests.map((r) => r.transport))).toEqual(new Set([protocol]));

    // Logs: the request's line carries its trace and span ids.
    const line = app.logs.find((l) => l.msg === "request" && l.trace_id === caller.traceId);
    expect(line).toMatchObject({ span_id: http?.spanId, status: 200 });

    // Metrics: rate and latency per procedure, the pool, the token, the caches.
    const metric = (name: string) => receiver.metrics.filter((m) => m.name === name).flatMap((m) => m.points);
    const calls = metric("rpc.server.call.duration");
    expect(calls).toContainEqual({
      attributes: { "rpc.system": "trpc", "rpc.method": "orders.byKey", "rpc.response.status_code": "OK" },
      value: 1,
    });
    expect(calls).toContainEqual({
      attributes: {
        "rpc.system": "trpc",
        "rpc.method": "orders.byKey",
        "rpc.response.status_code": "NOT_FOUND",
      },
      value: 1,
    });
    expect(metric("http.server.request.duration").reduce((n, p) => n + p.value, 0)).toBe(4);
    const connections = metric("db.client.connection.count");
    expect(connections.map((p) => p.attributes["db.client.connection.state"]).sort()).toEqual([
      "idle",
      "used",
    ]);
    expect(metric("db.client.connection.pending_requests")).toHaveLength(1);
    expect(metric("lakebase.token.refreshes")[0]?.value).toBeGreaterThanOrEqual(1);
    expect(metric("lakebase.token.failures")[0]?.value).toBe(0);
    expect(metric("lakebase.token.age")[0]?.value).toBeGreaterThanOrEqual(0);
    expect(metric("lakebase.token.time_to_expiry")[0]?.value).toBeGreaterThan(0);
    const countHits = metric("lakebase_orders.cache.lookups").find(
      (p) => p.attributes["cache.name"] === "orders.count" && p.attributes["cache.result"] === "hit",
    );
    expect(countHits?.value).toBeGreaterThanOrEqual(1);
  }, 60_000);
});

describe("telemetry", () => {
  it("keeps each query in its own request's trace when requests queue for one connection", async () => {
    receiver.clear();
    const app = await startApp(
      configFor({
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.httpUrl,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        DB_POOL_MAX: "1",
        // No trace chosen for SQL spans, but every statement counts as slow: the path of a slow one.
        TELEMETRY_SQL_SPAN_RATIO: "0",
        TELEMETRY_SQL_SLOW_MILLIS: "0",
      }),
    );
    const callers = Array.from({ length: 8 }, ids);
    try {
      // pg-pool hands a queued request its connection from inside another request's release().
      const responses = await Promise.all(
        callers.map((c, i) =>
          app.get(trpc("orders.byKey", { orderKey: i + 1 }), { traceparent: c.traceparent }),
        ),
      );
      expect(responses.map((r) => r.status)).toEqual(callers.map(() => 200));
    } finally {
      await app.stop();
    }
    await receiver.waitFor(() => callers.every((c) => chainOf(receiver.spans, c.traceId).sql.length > 0));
    const orphans = receiver.spans.filter(
      (s) => s.kind === CLIENT && !receiver.spans.some((p) => p.spanId === s.parentSpanId),
    );
    expect(orphans).toEqual([]);
  }, 60_000);

  it("a trace not chosen for SQL spans keeps its request's span (its procedure's), its fast statements none", async () => {
    receiver.clear();
    const app = await startApp(
      configFor({
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.httpUrl,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        TELEMETRY_SQL_SPAN_RATIO: "0",
        TELEMETRY_SQL_SLOW_MILLIS: "60000",
      }),
    );
    const caller = ids();
    try {
      const response = await app.get(trpc("orders.byKey", { orderKey: 1 }), {
        traceparent: caller.traceparent,
      });
      expect(response.status).toBe(200);
    } finally {
      await app.stop();
    }
    await receiver.waitFor(() => chainOf(receiver.spans, caller.traceId).http !== undefined);
    expect(chainOf(receiver.spans, caller.traceId).http?.attributes["rpc.method"]).toBe("orders.byKey");
    expect(chainOf(receiver.spans, caller.traceId).sql).toEqual([]);
    expect(receiver.spans.filter((s) => s.kind === CLIENT)).toEqual([]);
  }, 60_000);

  it("a batch's procedures each get a child span; a REST route's span keeps its route's name", async () => {
    receiver.clear();
    const app = await startApp(
      configFor({
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.httpUrl,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        TELEMETRY_SQL_SPAN_RATIO: "1",
      }),
    );
    const batch = ids();
    const rest = ids();
    try {
      const input = encodeURIComponent(JSON.stringify({ 0: { orderKey: 1 }, 1: { orderKey: 999_999_999 } }));
      const answer = await app.get(`/api/trpc/orders.byKey,orders.byKey?batch=1&input=${input}`, {
        traceparent: batch.traceparent,
      });
      expect(answer.status).toBe(207);
      expect((await app.get("/api/v1/orders/1", { traceparent: rest.traceparent })).status).toBe(200);
    } finally {
      await app.stop();
    }
    await receiver.waitFor(
      () =>
        chainOf(receiver.spans, batch.traceId).procedures.length === 2 &&
        chainOf(receiver.spans, rest.traceId).http !== undefined,
    );
    const calls = chainOf(receiver.spans, batch.traceId);
    expect(calls.http).toMatchObject({ name: "GET /api/trpc/*" });
    expect(calls.http?.attributes).not.toHaveProperty("rpc.method");
    expect(calls.procedures.map((p) => [p.name, p.attributes["error.type"]]).sort()).toEqual([
      ["trpc orders.byKey", undefined],
      ["trpc orders.byKey", "NOT_FOUND"],
    ]);
    // Each procedure's SQL is under its own span.
    for (const procedure of calls.procedures) {
      expect(calls.sql.some((s) => s.parentSpanId === procedure.spanId)).toBe(true);
    }
    const route = chainOf(receiver.spans, rest.traceId);
    expect(route.http?.attributes).toMatchObject({ "rpc.method": "orders.byKey" });
    expect(route.http?.attributes["http.route"]).toMatch(/^\/api\/v1\/orders\/[:{]order_key/);
    expect(route.http?.name).toBe(`GET ${route.http?.attributes["http.route"]}`);
    expect(route.procedures).toEqual([]);
    expect(route.sql.length).toBeGreaterThan(0);
  }, 60_000);

  it("off: nothing is installed (no middleware, no pool wrapper, no log fields) and nothing is sent", async () => {
    receiver.clear();
    const app = await startApp(configFor({}));
    try {
      expect(app.services.telemetry.enabled).toBe(false);
      expect(app.telemetry.http).toBeUndefined();
      expect(Object.hasOwn(app.services.db.pool, "query")).toBe(false);
      expect(Object.hasOwn(app.services.db.pool, "connect")).toBe(false);
      const response = await app.get(trpc("orders.byKey", { orderKey: 1 }), {
        traceparent: ids().traceparent,
      });
      expect(response.status).toBe(200);
    } finally {
      await app.stop();
    }
    expect(app.logs.some((l) => "trace_id" in l || "span_id" in l)).toBe(false);
    await new Promise((r) => setTimeout(r, 200));
    expect(receiver.requests).toEqual([]);
  }, 60_000);
});
