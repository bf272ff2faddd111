import type { TelemetryConfig } from "@lakebase-orders/config";
import { diag } from "@opentelemetry/api";
import type { PushMetricExporter } from "@opentelemetry/sdk-metrics";
import type { SpanExporter } from "@opentelemetry/sdk-trace";
import type { EncodedSpanSender, EncodedSpans } from "./export/encoding-span-processor.ts";

// One exporter per signal, for the configured protocol. Each is loaded only when chosen: gRPC brings
// @grpc/grpc-js, which an http/* setup never needs. Every setting comes from the configuration; the
// exporters would read the OTEL_* environment themselves for anything not given here.

export async function createSpanExporter(config: TelemetryConfig, url: string): Promise<SpanExporter> {
  const common = { url, timeoutMillis: config.timeoutMs };
  switch (config.protocol) {
    case "grpc": {
      const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-grpc");
      return new OTLPTraceExporter({ ...common, metadata: await grpcMetadata(config.headers) });
    }
    case "http/protobuf": {
      const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-proto");
      return new OTLPTraceExporter({ ...common, headers: { ...config.headers } });
    }
    case "http/json": {
      const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-http");
      return new OTLPTraceExporter({ ...common, headers: { ...config.headers } });
    }
  }
}

/**
 * For the protobuf protocols (http/protobuf, grpc): a sender of requests the app encoded itself
 * (export/span-encoder.ts), over the official exporter's own transport, built from the same options (URL,
 * headers, timeout, retries, concurrency); undefined for http/json, which keeps the SDK's exporter.
 */
export async function createEncodedSpanSender(
  config: TelemetryConfig,
  url: string,
): Promise<EncodedSpanSender | undefined> {
  const common = { url, timeoutMillis: config.timeoutMs };
  const [{ OTLPExporterBase }, { ProtobufTraceSerializer }] = await Promise.all([
    import("@opentelemetry/otlp-exporter-base"),
    import("@opentelemetry/otlp-transformer"),
  ]);
  // The request is already bytes; the response is read as the official exporter reads it.
  const serializer = {
    serializeRequest: (request: EncodedSpans) => request.bytes,
    deserializeResponse: (data: Uint8Array) => ProtobufTraceSerializer.deserializeResponse(data),
  };
  const counted = { name: "span" as const, countItems: (request: EncodedSpans) => request.spans };
  let exporter: InstanceType<typeof OTLPExporterBase<EncodedSpans>>;
  switch (config.protocol) {
    case "grpc": {
      const grpc = await import("@opentelemetry/otlp-grpc-exporter-base");
      const options = grpc.convertLegacyOtlpGrpcOptions(
        { ...common, metadata: await grpcMetadata(config.headers) },
        "TRACES",
      );
      exporter = new OTLPExporterBase(
        grpc.createOtlpGrpcExportDelegate(
          options,
          serializer,
          "otlp_grpc_span_exporter",
          counted,
          undefined,
          "TraceExportService",
          "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
        ),
      );
      break;
    }
    case "http/protobuf": {
      const http = await import("@opentelemetry/otlp-exporter-base/node-http");
      const options = http.convertLegacyHttpOptions(
        { ...common, headers: { ...config.headers } },
        "TRACES",
        "v1/traces",
        {
          "Content-Type": "application/x-protobuf",
        },
      );
      exporter = new OTLPExporterBase(
        http.createOtlpHttpExportDelegate(options, serializer, "otlp_http_span_exporter", counted, undefined),
      );
      break;
    }
    case "http/json":
      return undefined;
  }
  return {
    send: (request) =>
      new Promise<void>((resolve) => {
        exporter.export(request, (result) => {
          // The SDK's batch processor reports a failed export through its error handler: the diag channel.
          if (result.error) diag.error(`span export failed: ${result.error.message}`);
          resolve();
        });
      }),
    shutdown: () => exporter.shutdown(),
  };
}

export async function createMetricExporter(
  config: TelemetryConfig,
  url: string,
): Promise<PushMetricExporter> {
  const common = { url, timeoutMillis: config.timeoutMs };
  switch (config.protocol) {
    case "grpc": {
      const { OTLPMetricExporter } = await import("@opentelemetry/exporter-metrics-otlp-grpc");
      return new OTLPMetricExporter({ ...common, metadata: await grpcMetadata(config.headers) });
    }
    case "http/protobuf": {
      const { OTLPMetricExporter } = await import("@opentelemetry/exporter-metrics-otlp-proto");
      return new OTLPMetricExporter({ ...common, headers: { ...config.headers } });
    }
    case "http/json": {
      const { OTLPMetricExporter } = await import("@opentelemetry/exporter-metrics-otlp-http");
      return new OTLPMetricExporter({ ...common, headers: { ...config.headers } });
    }
  }
}

/** gRPC carries headers as call metadata. */
async function grpcMetadata(headers: Readonly<Record<string, string>>) {
  const { Metadata } = await import("@grpc/grpc-js");
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
  return metadata;
}
