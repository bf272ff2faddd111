import { z } from "zod";
import { type Variable, variable } from "./declare.ts";
import {
  EXPORTERS,
  httpUrl,
  int,
  keyValueList,
  lower,
  OTLP_PROTOCOLS,
  TRACES_SAMPLERS,
} from "./value-types.ts";

// The telemetry variables (OpenTelemetry's standard variables; the SDK gets them from here, not from the env).
export const TELEMETRY_VARIABLES = {
  OTEL_EXPORTER_OTLP_ENDPOINT: variable(
    "telemetry",
    httpUrl,
    "",
    "OTLP collector base URL (Databricks Apps sets it when app telemetry is on). Set: traces and metrics are exported; unset: telemetry is off and costs nothing.",
  ),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: variable(
    "telemetry",
    httpUrl,
    "<endpoint>/v1/traces (http), <endpoint> (grpc)",
    "Full URL for traces only (used as is).",
  ),
  OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: variable(
    "telemetry",
    httpUrl,
    "<endpoint>/v1/metrics (http), <endpoint> (grpc)",
    "Full URL for metrics only (used as is).",
  ),
  OTEL_EXPORTER_OTLP_PROTOCOL: variable(
    "telemetry",
    lower(z.enum(OTLP_PROTOCOLS)),
    "http/protobuf",
    "grpc, http/protobuf or http/json (Databricks Apps sets grpc).",
  ),
  OTEL_EXPORTER_OTLP_HEADERS: variable(
    "telemetry",
    keyValueList,
    "",
    "Headers sent with every export, key=value,... (percent-encoded values), e.g. an API key.",
    { secret: true },
  ),
  OTEL_EXPORTER_OTLP_TIMEOUT: variable(
    "telemetry",
    int(1, 600_000),
    "10000",
    "Milliseconds an export may take.",
  ),
  OTEL_SERVICE_NAME: variable(
    "telemetry",
    z.string().min(1),
    "DATABRICKS_APP_NAME, else lakebase-orders",
    "service.name of everything exported.",
  ),
  OTEL_RESOURCE_ATTRIBUTES: variable(
    "telemetry",
    keyValueList,
    "",
    "More resource attributes, key=value,... (Databricks Apps sets workspace.id and app.name).",
  ),
  OTEL_TRACES_EXPORTER: variable("telemetry", lower(z.enum(EXPORTERS)), "otlp", "none: export metrics only."),
  OTEL_METRICS_EXPORTER: variable("telemetry", lower(z.enum(EXPORTERS)), "otlp", "none: export traces only."),
  OTEL_TRACES_SAMPLER: variable(
    "telemetry",
    lower(z.enum(TRACES_SAMPLERS)),
    "parentbased_always_on",
    "Which traces are recorded (the standard samplers).",
  ),
  OTEL_TRACES_SAMPLER_ARG: variable(
    "telemetry",
    z.coerce.number().min(0).max(1),
    "1",
    "The ratio of the traceidratio samplers, 0..1.",
  ),
  OTEL_METRIC_EXPORT_INTERVAL: variable(
    "telemetry",
    int(100, 3_600_000),
    "60000",
    "Milliseconds between metric exports.",
  ),
  TELEMETRY_SQL_SPAN_RATIO: variable(
    "telemetry",
    z.coerce.number().min(0).max(1),
    "0.1",
    "Share of traced requests whose SQL statements get a span each, 0..1 (by trace id, so a trace has all or none). A failed or slow statement always has one; the others are in their request's (or procedure's) span and the duration metrics.",
  ),
  TELEMETRY_SQL_SLOW_MILLIS: variable(
    "telemetry",
    int(0, 3_600_000),
    "100",
    "A SQL statement at least this slow gets its span whatever TELEMETRY_SQL_SPAN_RATIO says (0: every statement).",
  ),
  OTEL_SDK_DISABLED: variable(
    "telemetry",
    lower(z.enum(["true", "false"])),
    "false",
    "true: telemetry off whatever else is set.",
  ),
} as const satisfies Record<string, Variable>;
