import type { TelemetryConfig } from "@lakebase-orders/config";
import type { PushMetricExporter } from "@opentelemetry/sdk-metrics";
import type { SpanExporter } from "@opentelemetry/sdk-trace";

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
