import { randomUUID } from "node:crypto";
import type { TelemetryConfig } from "@lakebase-orders/config";
import { type Logger, silentLogger } from "@lakebase-orders/log";
import { type Context, DiagLogLevel, diag, isSpanContextValid, type Span, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { type Resource, resourceFromAttributes } from "@opentelemetry/resources";
import {
  AggregationTemporality,
  InstrumentType,
  MeterProvider,
  type MetricReader,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  NoopSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
} from "@opentelemetry/sdk-trace";
import { EncodingSpanProcessor } from "./export/encoding-span-processor.ts";
import { createEncodedSpanSender, createMetricExporter, createSpanExporter } from "./exporters.ts";
import { createHistograms } from "./histograms.ts";
import { httpTelemetry } from "./http.ts";
import { leanTracer } from "./lean-tracer.ts";
import { observeServices } from "./observe.ts";
import { procedureTelemetry } from "./procedure.ts";
import { instrumentPool } from "./sql.ts";
import type { Telemetry } from "./types.ts";

/** The name and version of what records the spans and metrics (the instrumentation scope). */
export const SCOPE = "lakebase-orders";
const SHUTDOWN_DEADLINE_MS = 2000;
// The batch processor's queue and batch: a 2-vCPU app at a few thousand requests a second ends some 10 k
// spans a second; the SDK's 2,048 would drop spans between two exports. With the protobuf protocols a span
// is encoded when it ends (about 1 us, export/span-encoder.ts) and a batch is only framed for export; over
// http/json the SDK serializes a batch in one go on the event loop (about 2.5 us per span).
const MAX_QUEUED_SPANS = 16_384;
const MAX_EXPORT_BATCH = 2048;

/**
 * The SDK, built without its globals: the tracer, meter and context manager are passed to the pieces that
 * use them, so nothing depends on what another library registered (and tests can run several).
 */
export async function createSdkTelemetry(
  config: TelemetryConfig,
  options: { logger?: Logger } = {},
): Promise<Telemetry> {
  const logger = options.logger ?? silentLogger;
  // The SDK reports export failures (an unreachable collector) through its diagnostics channel.
  diag.setLogger(
    {
      error: (message) => logger.warn("telemetry_error", { message }),
      warn: (message) => logger.warn("telemetry_warning", { message }),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  const resource = resourceFromAttributes({
    ...config.resourceAttributes,
    "service.name": config.serviceName,
    "service.instance.id": randomUUID(),
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();

  const processor = config.tracesUrl
    ? await spanProcessor(config, config.tracesUrl, resource)
    : new NoopSpanProcessor();
  let reader: MetricReader | undefined;
  const histograms = createHistograms({
    resource,
    scope: SCOPE,
    temporality: () =>
      reader?.selectAggregationTemporality(InstrumentType.HISTOGRAM) ?? AggregationTemporality.CUMULATIVE,
  });
  reader = config.metricsUrl
    ? new PeriodicExportingMetricReader({
        exporter: await createMetricExporter(config, config.metricsUrl),
        exportIntervalMillis: config.metricIntervalMs,
        exportTimeoutMillis: Math.min(config.timeoutMs, config.metricIntervalMs),
        metricProducers: [histograms.producer],
      })
    : undefined;
  const meterProvider = new MeterProvider({ resource, readers: reader ? [reader] : [] });
  const tracer = leanTracer({ sampler: sampler(config), processor, resource, scope: SCOPE });
  const meter = meterProvider.getMeter(SCOPE);
  const tools = { tracer, meter, contextManager, histograms, procedureSpans: new WeakMap<Span, string>() };

  let stopped: Promise<void> | undefined;
  return {
    enabled: true,
    http: httpTelemetry(tools, new W3CTraceContextPropagator()),
    procedure: procedureTelemetry(tools),
    instrumentPool: (pool, role) =>
      instrumentPool(pool, role, tools, { ratio: config.sqlSpanRatio, slowMs: config.sqlSlowMs }),
    observe: (services) => observeServices(meter, services),
    logContext: () => traceFields(contextManager.active()),
    shutdown() {
      // Flushes what the batch processor and the metric reader hold. An unreachable collector must not
      // hold the exit past the platform's deadline (15 s after SIGTERM on Databricks Apps): give up after 2 s.
      stopped ??= Promise.race([
        Promise.allSettled([processor.shutdown(), meterProvider.shutdown()]),
        new Promise((resolve) => setTimeout(resolve, SHUTDOWN_DEADLINE_MS).unref()),
      ]).then(() => {
        contextManager.disable();
      });
      return stopped;
    },
  };
}

/** Spans encoded as they end for the protobuf protocols; the SDK's batch processor and exporter for JSON. */
async function spanProcessor(
  config: TelemetryConfig,
  url: string,
  resource: Resource,
): Promise<SpanProcessor> {
  const sender = await createEncodedSpanSender(config, url);
  const limits = { maxQueueSize: MAX_QUEUED_SPANS, maxExportBatchSize: MAX_EXPORT_BATCH };
  return sender
    ? new EncodingSpanProcessor({ sender, resource, scope: { name: SCOPE }, ...limits })
    : new BatchSpanProcessor({ exporter: await createSpanExporter(config, url), ...limits });
}

/** The log fields of the active span, if there is one with valid ids. */
function traceFields(context: Context): { trace_id: string; span_id: string } | undefined {
  const span = trace.getSpan(context);
  if (!span) return undefined;
  const ids = span.spanContext();
  return isSpanContextValid(ids) ? { trace_id: ids.traceId, span_id: ids.spanId } : undefined;
}

/** The standard samplers, as OTEL_TRACES_SAMPLER names them. */
function sampler(config: TelemetryConfig): Sampler {
  const ratio = new TraceIdRatioBasedSampler(config.samplerRatio);
  switch (config.sampler) {
    case "always_on":
      return new AlwaysOnSampler();
    case "always_off":
      return new AlwaysOffSampler();
    case "traceidratio":
      return ratio;
    case "parentbased_always_on":
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case "parentbased_always_off":
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case "parentbased_traceidratio":
      return new ParentBasedSampler({ root: ratio });
  }
}
