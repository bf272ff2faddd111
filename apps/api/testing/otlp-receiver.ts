// A real OTLP receiver on localhost for the telemetry tests: OTLP/HTTP (JSON and protobuf) on one port and
// OTLP/gRPC on another, decoding what arrives into plain spans and metrics to assert on.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import * as grpc from "@grpc/grpc-js";
import { type Field, fixed64, hex, messages, readMessage, string, varint } from "./protobuf.ts";

type Value = string | number | boolean;
export type Attributes = Record<string, Value>;

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** "" for a root span. */
  parentSpanId: string;
  name: string;
  /** OTLP numbering: 1 internal, 2 server, 3 client. */
  kind: number;
  attributes: Attributes;
  /** 0 unset, 1 ok, 2 error. */
  statusCode: number;
  resource: Attributes;
}

export interface ReceivedMetric {
  name: string;
  unit: string;
  /** Number points: the value; histogram points: the count. */
  points: { attributes: Attributes; value: number }[];
  resource: Attributes;
}

export interface ReceivedRequest {
  transport: "http/json" | "http/protobuf" | "grpc";
  signal: "traces" | "metrics";
  headers: Record<string, string>;
}

export interface OtlpReceiver {
  /** OTLP/HTTP base URL (exporters post to /v1/traces and /v1/metrics). */
  readonly httpUrl: string;
  /** OTLP/gRPC endpoint. */
  readonly grpcUrl: string;
  readonly spans: ReceivedSpan[];
  readonly metrics: ReceivedMetric[];
  readonly requests: ReceivedRequest[];
  /** Resolves once `check` holds, polling what arrived. */
  waitFor(check: () => boolean, timeoutMs?: number): Promise<void>;
  clear(): void;
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const metrics: ReceivedMetric[] = [];
  const requests: ReceivedRequest[] = [];

  const accept = (
    signal: ReceivedRequest["signal"],
    transport: ReceivedRequest["transport"],
    body: Buffer,
  ) => {
    if (transport === "http/json") {
      const json = JSON.parse(body.toString("utf8")) as JsonExport;
      if (signal === "traces") spans.push(...spansFromJson(json));
      else metrics.push(...metricsFromJson(json));
    } else if (signal === "traces") spans.push(...spansFromProtobuf(body));
    else metrics.push(...metricsFromProtobuf(body));
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const signal = req.url === "/v1/traces" ? "traces" : req.url === "/v1/metrics" ? "metrics" : null;
      const json = (req.headers["content-type"] ?? "").includes("json");
      if (req.method !== "POST" || signal === null) {
        res.writeHead(404).end();
        return;
      }
      let body = Buffer.concat(chunks);
      if (req.headers["content-encoding"] === "gzip") body = gunzipSync(body);
      const transport = json ? "http/json" : "http/protobuf";
      requests.push({ transport, signal, headers: flatHeaders(req.headers) });
      try {
        accept(signal, transport, body);
      } catch (error) {
        res.writeHead(400).end(String(error));
        return;
      }
      // An empty Export*ServiceResponse: `{}` in JSON, zero bytes in protobuf.
      res.writeHead(200, { "content-type": json ? "application/json" : "application/x-protobuf" });
      res.end(json ? "{}" : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

  const grpcServer = new grpc.Server();
  const raw = {
    requestStream: false,
    responseStream: false,
    requestSerialize: (b: Buffer) => b,
    requestDeserialize: (b: Buffer) => b,
    responseSerialize: (b: Buffer) => b,
    responseDeserialize: (b: Buffer) => b,
  } as const;
  for (const [signal, path] of [
    ["traces", "/opentelemetry.proto.collector.trace.v1.TraceService/Export"],
    ["metrics", "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export"],
  ] as const) {
    grpcServer.addService(
      { Export: { path, originalName: "Export", ...raw } },
      {
        Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
          const headers = Object.fromEntries(
            Object.entries(call.metadata.getMap()).map(([k, v]) => [k, String(v)]),
          );
          requests.push({ transport: "grpc", signal, headers });
          try {
            accept(signal, "grpc", call.request);
            callback(null, Buffer.alloc(0));
          } catch (error) {
            callback({ code: grpc.status.INVALID_ARGUMENT, details: String(error) });
          }
        },
      },
    );
  }
  const grpcPort = await new Promise<number>((resolve, reject) =>
    grpcServer.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) =>
      error ? reject(error) : resolve(port),
    ),
  );

  return {
    httpUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    grpcUrl: `http://127.0.0.1:${grpcPort}`,
    spans,
    metrics,
    requests,
    async waitFor(check, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!check()) {
        if (Date.now() > deadline) {
          throw new Error(
            `OTLP receiver: condition not met within ${timeoutMs} ms (${spans.length} spans, ${metrics.length} metrics)`,
          );
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    clear() {
      spans.length = 0;
      metrics.length = 0;
      requests.length = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      grpcServer.forceShutdown();
    },
  };
}

function flatHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)]));
}

// ---- OTLP/JSON (ids are hex strings; 64-bit integers may arrive as strings)

interface JsonKeyValue {
  key: string;
  value: { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean };
}
interface JsonPoint {
  attributes?: JsonKeyValue[];
  asInt?: string | number;
  asDouble?: number;
  count?: string | number;
}
interface JsonExport {
  resourceSpans?: {
    resource?: { attributes?: JsonKeyValue[] };
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        attributes?: JsonKeyValue[];
        status?: { code?: number };
      }[];
    }[];
  }[];
  resourceMetrics?: {
    resource?: { attributes?: JsonKeyValue[] };
    scopeMetrics?: {
      metrics?: {
        name: string;
        unit?: string;
        gauge?: { dataPoints?: JsonPoint[] };
        sum?: { dataPoints?: JsonPoint[] };
        histogram?: { dataPoints?: JsonPoint[] };
      }[];
    }[];
  }[];
}

function jsonAttributes(list: JsonKeyValue[] | undefined): Attributes {
  const out: Attributes = {};
  for (const { key, value } of list ?? []) {
    if (value.stringValue !== undefined) out[key] = value.stringValue;
    else if (value.intValue !== undefined) out[key] = Number(value.intValue);
    else if (value.doubleValue !== undefined) out[key] = value.doubleValue;
    else if (value.boolValue !== undefined) out[key] = value.boolValue;
  }
  return out;
}

function spansFromJson(json: JsonExport): ReceivedSpan[] {
  return (json.resourceSpans ?? []).flatMap((rs) => {
    const resource = jsonAttributes(rs.resource?.attributes);
    return (rs.scopeSpans ?? []).flatMap((ss) =>
      (ss.spans ?? []).map((s) => ({
        traceId: s.traceId,
        spanId: s.spanId,
        parentSpanId: s.parentSpanId ?? "",
        name: s.name,
        kind: s.kind,
        attributes: jsonAttributes(s.attributes),
        statusCode: s.status?.code ?? 0,
        resource,
      })),
    );
  });
}

function metricsFromJson(json: JsonExport): ReceivedMetric[] {
  return (json.resourceMetrics ?? []).flatMap((rm) => {
    const resource = jsonAttributes(rm.resource?.attributes);
    return (rm.scopeMetrics ?? []).flatMap((sm) =>
      (sm.metrics ?? []).map((m) => ({
        name: m.name,
        unit: m.unit ?? "",
        points:
          (m.gauge ?? m.sum ?? m.histogram)?.dataPoints?.map((p) => ({
            attributes: jsonAttributes(p.attributes),
            value: Number(p.count ?? p.asInt ?? p.asDouble ?? Number.NaN),
          })) ?? [],
        resource,
      })),
    );
  });
}

// ---- OTLP protobuf (opentelemetry/proto/{trace,metrics,common}/v1/*.proto field numbers)

function pbAttributes(list: Buffer[]): Attributes {
  const out: Attributes = {};
  for (const kv of list.map(readMessage)) {
    const value = readMessage(messages(kv, 2)[0] ?? Buffer.alloc(0));
    const key = string(kv, 1);
    if (value.has(1)) out[key] = string(value, 1);
    else if (value.has(2)) out[key] = varint(value, 2) === 1n;
    else if (value.has(3)) out[key] = Number(BigInt.asIntN(64, varint(value, 3) ?? 0n));
    else if (value.has(4)) out[key] = fixed64(value, 4, "double");
  }
  return out;
}

function resourceOf(fields: Map<number, Field[]>): Attributes {
  return pbAttributes(messages(readMessage(messages(fields, 1)[0] ?? Buffer.alloc(0)), 1));
}

function spansFromProtobuf(body: Buffer): ReceivedSpan[] {
  return messages(readMessage(body), 1).flatMap((rsBytes) => {
    const rs = readMessage(rsBytes);
    const resource = resourceOf(rs);
    return messages(rs, 2).flatMap((ssBytes) =>
      messages(readMessage(ssBytes), 2).map((spanBytes) => {
        const s = readMessage(spanBytes);
        const status = readMessage(messages(s, 15)[0] ?? Buffer.alloc(0));
        return {
          traceId: hex(s, 1),
          spanId: hex(s, 2),
          parentSpanId: hex(s, 4),
          name: string(s, 5),
          kind: Number(varint(s, 6) ?? 0n),
          attributes: pbAttributes(messages(s, 9)),
          statusCode: Number(varint(status, 3) ?? 0n),
          resource,
        };
      }),
    );
  });
}

function metricsFromProtobuf(body: Buffer): ReceivedMetric[] {
  return messages(readMessage(body), 1).flatMap((rmBytes) => {
    const rm = readMessage(rmBytes);
    const resource = resourceOf(rm);
    return messages(rm, 2).flatMap((smBytes) =>
      messages(readMessage(smBytes), 2).map((metricBytes) => {
        const m = readMessage(metricBytes);
        // gauge = 5, sum = 7 (NumberDataPoint: attributes 7, as_double 4, as_int 6); histogram = 9
        // (HistogramDataPoint: attributes 9, count 4).
        const histogram = messages(m, 9)[0];
        const number = messages(m, 5)[0] ?? messages(m, 7)[0];
        const points = histogram
          ? messages(readMessage(histogram), 1).map((p) => {
              const f = readMessage(p);
              return { attributes: pbAttributes(messages(f, 9)), value: fixed64(f, 4, "uint") };
            })
          : messages(readMessage(number ?? Buffer.alloc(0)), 1).map((p) => {
              const f = readMessage(p);
              const value = f.has(6) ? fixed64(f, 6, "int") : fixed64(f, 4, "double");
              return { attributes: pbAttributes(messages(f, 7)), value };
            });
        return { name: string(m, 1), unit: string(m, 3), points, resource };
      }),
    );
  });
}
