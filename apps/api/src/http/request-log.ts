import type { Logger } from "@lakebase-orders/log";
import type { MiddlewareHandler } from "hono";
import { requestIdFrom } from "./request-id.ts";
import { trpcProcedureNames } from "./trpc/procedure-names.ts";

export interface RequestVars {
  requestId: string;
  /** Procedures of this request that failed, filled by the tRPC handler's onError. */
  procedureErrors: { procedure: string | undefined; code: string }[];
}

/** One JSON line per request: id, procedures, status, duration, outcome. Never headers (tokens live there). */
export function requestLog(logger: Logger): MiddlewareHandler<{ Variables: RequestVars }> {
  return async (c, next) => {
    const started = performance.now();
    const requestId = requestIdFrom(c.req.raw.headers);
    c.set("requestId", requestId);
    c.set("procedureErrors", []);
    await next();
    // On the response's own headers: c.header() after the response exists rebuilds it around a body stream,
    // which costs @hono/node-server its fast path (a string body written directly).
    c.res.headers.set("X-Request-Id", requestId);
    const url = new URL(c.req.url);
    const errors = c.get("procedureErrors");
    const status = c.res.status;
    const outcome =
      status >= 500 || errors.some((e) => e.code === "INTERNAL_SERVER_ERROR")
        ? "error"
        : status >= 400 || errors.length > 0
          ? "rejected"
          : "ok";
    logger.info("request", {
      requestId,
      method: c.req.method,
      path: url.pathname,
      procedures: trpcProcedureNames(url.pathname),
      status,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      outcome,
      ...(errors.length > 0 ? { errors } : {}),
    });
  };
}
