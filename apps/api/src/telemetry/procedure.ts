import { type Attributes, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { BoundHistogram } from "./histograms.ts";
import type { Instruments, ProcedureResult } from "./types.ts";

/**
 * The span of one tRPC procedure (the request's own span when the request carries this call alone, else a
 * child of it: a batch has one per procedure) and the per-procedure duration histogram, whose count is the
 * procedure's call rate. The outcome is the tRPC code after the domain errors were mapped, so a NOT_FOUND is
 * told apart from an INTERNAL_SERVER_ERROR.
 */
export function procedureTelemetry({ tracer, histograms, contextManager, procedureSpans }: Instruments) {
  const duration = histograms.histogram(
    "rpc.server.call.duration",
    "Duration of tRPC procedure calls, by procedure and outcome.",
    "s",
  );
  // The attributes of each procedure and outcome, built once: the paths and codes are a fixed few.
  const spans = new Map<string, { name: string; options: { kind: SpanKind; attributes: Attributes } }>();
  const outcomes = new Map<string, BoundHistogram>();
  const spanOf = (path: string, type: string) => {
    const key = `${type} ${path}`;
    let span = spans.get(key);
    if (span === undefined) {
      const attributes = { "rpc.system": "trpc", "rpc.method": path, "trpc.procedure.type": type };
      span = { name: `trpc ${path}`, options: { kind: SpanKind.INTERNAL, attributes } };
      spans.set(key, span);
    }
    return span;
  };
  const outcomeOf = (path: string, code: string) => {
    const key = `${code} ${path}`;
    let bound = outcomes.get(key);
    if (bound === undefined) {
      bound = duration.bind({ "rpc.system": "trpc", "rpc.method": path, "rpc.response.status_code": code });
      outcomes.set(key, bound);
    }
    return bound;
  };
  const failed = (span: Span, code: string) => {
    span.setAttribute("error.type", code);
    // A client's mistake (bad input, not found, forbidden) is the procedure working: not a span error.
    if (code === "INTERNAL_SERVER_ERROR" || code === "SERVICE_UNAVAILABLE" || code === "TIMEOUT") {
      span.setStatus({ code: SpanStatusCode.ERROR, message: code });
    }
  };
  return async <R extends ProcedureResult>(
    path: string,
    type: string,
    next: () => Promise<R>,
    sole = false,
  ): Promise<R> => {
    const started = performance.now();
    const parent = contextManager.active();
    const { name, options } = spanOf(path, type);
    const request = sole ? trace.getSpan(parent) : undefined;
    // A request that carries this call alone: the request's span is the call's (OpenTelemetry's RPC
    // conventions put rpc.* on the server span), with the SQL as its children; a tRPC request's span is
    // then named after it (telemetry/http.ts). A child span would cost the request a second span (its ids,
    // context switch and encoding: in a tight loop, as much again as the request's own) to say what the
    // request's span already says. A batch's calls each get a child span; so does a second call of a
    // request that carries more than one (a REST route's, say).
    if (request !== undefined && !procedureSpans.has(request)) {
      procedureSpans.set(request, name);
      request.setAttributes(options.attributes);
      let code = "INTERNAL_SERVER_ERROR";
      try {
        const result = await next();
        code = result.ok ? "OK" : (result.error?.code ?? code);
        return result;
      } finally {
        if (code !== "OK") failed(request, code);
        outcomeOf(path, code).record((performance.now() - started) / 1000);
      }
    }
    const span = tracer.startSpan(name, options, parent);
    let code = "INTERNAL_SERVER_ERROR";
    try {
      const result = await contextManager.with(trace.setSpan(parent, span), next);
      code = result.ok ? "OK" : (result.error?.code ?? code);
      return result;
    } finally {
      if (code !== "OK") failed(span, code);
      const ended = performance.now();
      span.end(ended);
      outcomeOf(path, code).record((ended - started) / 1000);
    }
  };
}
