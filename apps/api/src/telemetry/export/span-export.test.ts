// The spans the app encodes itself (export/span-encoder.ts, encoding-span-processor.ts) against the official
// exporters: byte for byte, on the wire to a real local OTLP sink over each protobuf protocol, with a full
// queue, an unreachable collector and at shutdown.

import http from "node:http";
import type { AddressInfo } from "node:net";
import { startOtlpReceiver } from "@lakebase-orders/api/testing";
import type { OtlpProtocol, TelemetryConfig } from "@lakebase-orders/config";
import {
  type Context,
  createTraceState,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
} from "@opentelemetry/api";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { AlwaysOnSampler, type ReadableSpan, type SpanProcessor } from "@opentelemetry/sdk-trace";
import { describe, expect, it } from "vitest";
import { createEncodedSpanSender, createSpanExporter } from "../exporters.ts";
import { leanTracer } from "../lean-tracer.ts";
import { type EncodedSpanSender, EncodingSpanProcessor } from "./encoding-span-processor.ts";
import { ProtobufWriter } from "./protobuf-writer.ts";
import { encodeHead, frameRequest, writeSpan } from "./span-encoder.ts";

const resource = resourceFromAttributes({
  "service.name": "orders-under-test",
  "service.instance.id": "0b5c3c1e-4f1e-4d4e-9a55-3f2d6c1f0a11",
  "workspace.id": "42",
});
const scope = { name: "lakebase-orders" };

/** Every shape the app's spans take, and those they could: events, links, errors, remote parents, odd values. */
function recordSpans(processor: SpanProcessor, requests = 3): void {
  const tracer = leanTracer({ sampler: new AlwaysOnSampler(), processor, resource, scope: scope.name });
  const shared = { "rpc.system": "trpc", "rpc.method": "orders.byKey", "trpc.procedure.type": "query" };
  const remote = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: "b7ad6b7169203331",
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: createTraceState("vendor=a1,other=b2"),
  });
  for (let i = 0; i < requests; i++) {
    const parent: Context = i % 2 === 0 ? remote : ROOT_CONTEXT;
    const server = tracer.startSpan(
      "GET",
      { kind: SpanKind.SERVER, attributes: { "http.request.method": "GET", "url.path": `/api/${i}` } },
      parent,
    );
    const inServer = trace.setSpan(parent, server);
    const procedure = tracer.startSpan("trpc orders.byKey", { attributes: shared }, inServer);
    procedure.addEvent("retry", { attempt: 2, reason: "ECONNRESET" });
    procedure.recordException(Object.assign(new Error("boom ü ✓ 😀"), { code: "57P01" }));
    procedure.addLink({ context: server.spanContext(), attributes: { "link.kind": "follows" } });
    procedure.setStatus({ code: SpanStatusCode.ERROR, message: "INTERNAL_SERVER_ERROR" });
    const sql = tracer.startSpan(
      "SELECT public.orders_synced",
      {
        kind: SpanKind.CLIENT,
        attributes: {
          "db.query.text": `SELECT ${"x, ".repeat(60 + i * 3000)} 1 -- ünïcode`,
          "server.port": 5432,
          ratio: 0.25,
          big: 2 ** 40,
          negative: -7,
          flag: true,
          list: ["a", "b"],
          numbers: [1, 2.5],
        },
        startTime: performance.now() - 3,
      },
      trace.setSpan(inServer, procedure),
    );
    sql.end();
    procedure.end();
    server.updateName("GET /api/trpc/*");
    server.setAttributes({ "http.route": "/api/trpc/*", "http.response.status_code": i === 1 ? 500 : 200 });
    if (i === 1) server.setStatus({ code: SpanStatusCode.ERROR });
    server.end();
  }
}

function collect(): { spans: ReadableSpan[]; processor: SpanProcessor } {
  const spans: ReadableSpan[] = [];
  const processor: SpanProcessor = {
    onStart: () => undefined,
    onEnd: (span) => spans.push(span),
    forceFlush: async () => undefined,
    shutdown: async () => undefined,
  };
  return { spans, processor };
}

/** An OTLP/HTTP endpoint that keeps each request's body and headers as they came. */
async function startRawSink() {
  const bodies: { body: Buffer; headers: http.IncomingHttpHeaders }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      bodies.push({ body: Buffer.concat(chunks), headers: req.headers });
      res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`,
    bodies,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function configFor(protocol: OtlpProtocol, url: string, timeoutMs = 10_000): TelemetryConfig {
  return {
    protocol,
    tracesUrl: url,
    metricsUrl: null,
    headers: { "x-api-key": "k=1" },
    timeoutMs,
    metricIntervalMs: 60_000,
    sampler: "always_on",
    samplerRatio: 1,
    serviceName: "orders-under-test",
    resourceAttributes: {},
    sqlSpanRatio: 1,
    sqlSlowMs: 0,
  };
}

async function encodedProcessor(
  config: TelemetryConfig,
  limits = { maxQueueSize: 100, maxExportBatchSize: 10 },
) {
  const sender = await createEncodedSpanSender(config, config.tracesUrl ?? "");
  if (!sender) throw new Error(`no encoded sender for ${config.protocol}`);
  return new EncodingSpanProcessor({ sender, resource, scope, ...limits });
}

describe("span encoder", () => {
  it("writes the bytes of the official protobuf serializer", () => {
    const { spans, processor } = collect();
    recordSpans(processor, 4);
    const writer = new ProtobufWriter(16);
    for (const span of spans) writeSpan(writer, span);
    const head = encodeHead(new ProtobufWriter(16), resource, scope);
    const ours = frameRequest(new ProtobufWriter(16), head, writer.take());
    const official = ProtobufTraceSerializer.serializeRequest(spans);
    expect(spans.length).toBe(12);
    expect(Buffer.from(ours).equals(Buffer.from(official ?? []))).toBe(true);
  });
});

describe("encoded span export", () => {
  it("sends over http/protobuf exactly what the official exporter sends", async () => {
    const sink = await startRawSink();
    try {
      const config = configFor("http/protobuf", sink.url);
      const { spans, processor } = collect();
      recordSpans(processor);
      const official = await createSpanExporter(config, sink.url);
      await new Promise((resolve) => official.export(spans, resolve));
      await official.shutdown();
      const ours = await encodedProcessor(config, { maxQueueSize: 100, maxExportBatchSize: 100 });
      for (const span of spans) ours.onEnd(span);
      await ours.shutdown();
      expect(sink.bodies).toHaveLength(2);
      const [a, b] = sink.bodies;
      expect(b?.body.equals(a?.body ?? Buffer.alloc(0))).toBe(true);
      for (const header of ["content-type", "x-api-key", "user-agent"]) {
        expect(b?.headers[header]).toBe(a?.headers[header]);
      }
    } finally {
      await sink.close();
    }
  });

  it.each<OtlpProtocol>(["http/protobuf", "grpc"])(
    "over %s, the receiver decodes the same spans both ways",
    async (protocol) => {
      const receiver = await startOtlpReceiver();
      try {
        const url = protocol === "grpc" ? receiver.grpcUrl : `${receiver.httpUrl}/v1/traces`;
        const config = configFor(protocol, url);
        const { spans, processor } = collect();
        recordSpans(processor);
        const official = await createSpanExporter(config, url);
        await new Promise((resolve) => official.export(spans, resolve));
        await official.shutdown();
        const expected = receiver.spans.splice(0);
        const ours = await encodedProcessor(config);
        for (const span of spans) ours.onEnd(span);
        await ours.shutdown();
        expect(expected).toHaveLength(spans.length);
        expect(receiver.spans).toEqual(expected);
        expect(receiver.requests.every((r) => r.headers["x-api-key"] === "k=1")).toBe(true);
      } finally {
        await receiver.close();
      }
    },
  );

  it("http/json keeps the SDK's exporter", async () => {
    expect(await createEncodedSpanSender(configFor("http/json", "http://127.0.0.1:9/v1/traces"), "x")).toBe(
      undefined,
    );
  });

  it("a full queue drops and counts spans, never holds more", async () => {
    let sends = 0;
    const stuck: EncodedSpanSender = {
      send: () => {
        sends++;
        return new Promise<void>(() => undefined); // a collector that never answers
      },
      shutdown: async () => undefined,
    };
    const processor = new EncodingSpanProcessor({
      sender: stuck,
      resource,
      scope,
      maxQueueSize: 20,
      maxExportBatchSize: 5,
    });
    recordSpans(processor, 30); // 90 spans
    expect(processor.dropped).toBe(70);
    expect(sends).toBe(1); // one export at a time
  });

  it("an unreachable collector never blocks nor fails the recording, and flush gives up in time", async () => {
    const closed = await startRawSink();
    await closed.close(); // a port nobody listens on
    const processor = await encodedProcessor(configFor("http/protobuf", closed.url, 500), {
      maxQueueSize: 100,
      maxExportBatchSize: 3,
    });
    const started = performance.now();
    recordSpans(processor, 10);
    expect(performance.now() - started).toBeLessThan(200);
    const flushing = performance.now();
    await processor.shutdown();
    // Each of the (few) batches gives up within the exporter's timeout; sdk.ts caps the whole at 2 s.
    expect(performance.now() - flushing).toBeLessThan(10_000);
  });

  it("shutdown sends what is queued, then records nothing more", async () => {
    const sink = await startRawSink();
    try {
      const processor = await encodedProcessor(configFor("http/protobuf", sink.url), {
        maxQueueSize: 1000,
        maxExportBatchSize: 1000,
      });
      recordSpans(processor, 5);
      expect(sink.bodies).toHaveLength(0); // waiting for its batch to fill or its 5 s
      await processor.shutdown();
      expect(sink.bodies).toHaveLength(1);
      recordSpans(processor, 5);
      await processor.forceFlush();
      expect(sink.bodies).toHaveLength(1);
    } finally {
      await sink.close();
    }
  });
});
