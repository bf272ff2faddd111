import {
  type Attributes,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapPropagator,
  trace,
} from "@opentelemetry/api";
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { BoundHistogram } from "./histograms.ts";
import type { Instruments } from "./types.ts";

const TRPC_ROUTE = "/api/trpc/*";

const headerGetter: TextMapGetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
};

/**
 * The server span of each request (continuing a `traceparent` the caller sent) and the request-duration
 * histogram. Installed first, so everything below, the request log line included, runs inside the span.
 */
export function httpTelemetry(
  { tracer, histograms, contextManager, procedureSpans }: Instruments,
  propagator: TextMapPropagator,
): MiddlewareHandler {
  const duration = histograms.histogram(
    "http.server.request.duration",
    "Duration of HTTP server requests.",
    "s",
  );
  // The outcome's span name and attributes per method, route and status, built once (the span copies the
  // attributes, the histogram reads them; a name built once is one flat string its encoding reads as is): a
  // bounded few, since the route is the pattern.
  const outcomes = new Map<string, { name: string; attributes: Attributes; duration: BoundHistogram }>();
  const outcomeOf = (method: string, route: string, status: number) => {
    const key = `${status} ${method} ${route}`;
    let outcome = outcomes.get(key);
    if (outcome === undefined) {
      const attributes = {
        "http.request.method": method,
        "http.route": route,
        "http.response.status_code": status,
      };
      outcome = { name: `${method} ${route}`, attributes, duration: duration.bind(attributes) };
      if (outcomes.size < 1000) outcomes.set(key, outcome);
    }
    return outcome;
  };
  return async (c, next) => {
    const started = performance.now();
    const method = c.req.method;
    const parent = propagator.extract(ROOT_CONTEXT, c.req.raw.headers, headerGetter);
    const span = tracer.startSpan(
      method,
      {
        kind: SpanKind.SERVER,
        attributes: { "http.request.method": method, "url.path": c.req.path, "url.scheme": "http" },
      },
      parent,
    );
    try {
      await contextManager.with(trace.setSpan(parent, span), next);
    } finally {
      // The route is known once routing ran: the pattern, not the path (bounded cardinality).
      const route = routePath(c) || c.req.path;
      const status = c.res.status;
      const outcome = outcomeOf(method, route, status);
      // A tRPC request that carried one procedure is named after it (telemetry/procedure.ts): its route,
      // `/api/trpc/*`, is every procedure's. A REST route keeps its own name.
      const procedure = procedureSpans.get(span);
      span.updateName(procedure !== undefined && route === TRPC_ROUTE ? procedure : outcome.name);
      span.setAttributes(outcome.attributes);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      const ended = performance.now();
      span.end(ended);
      outcome.duration.record((ended - started) / 1000);
    }
  };
}
