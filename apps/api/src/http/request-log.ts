import type { Logger } from "@lakebase-orders/log";
import type { MiddlewareHandler } from "hono";
import { isCompleteAnswer } from "./complete-answers.ts";
import { requestIdFrom } from "./request-id.ts";
import { trpcProcedureNames } from "./trpc/procedure-names.ts";

export interface RequestVars {
  requestId: string;
  /** Procedures of this request that failed, filled by the tRPC handler's onError. */
  procedureErrors: { procedure: string | undefined; code: string }[];
}

/**
 * The path of an absolute URL as the request carries it (still encoded), without building a URL: node-server
 * hands Hono a URL it has already normalised (dot segments, odd characters), so this is `new URL(url).pathname`
 * at a fraction of the cost, on every request.
 */
export function rawPathOf(url: string): string {
  const scheme = url.indexOf("://");
  const start = url.indexOf("/", scheme < 0 ? 0 : scheme + 3);
  if (start < 0) return "/";
  let end = url.length;
  for (let i = start; i < url.length; i++) {
    const ch = url.charCodeAt(i);
    if (ch === 63 /* ? */ || ch === 35 /* # */) {
      end = i;
      break;
    }
  }
  return url.slice(start, end);
}

const TRPC_PREFIX = "/api/trpc/";

/** One JSON line per request: id, procedures, status, duration, outcome. Never headers (tokens live there). */
export function requestLog(logger: Logger): MiddlewareHandler<{ Variables: RequestVars }> {
  return async (c, next) => {
    const started = performance.now();
    const requestId = requestIdFrom(c.req.raw.headers);
    c.set("requestId", requestId);
    c.set("procedureErrors", []);
    await next();
    if (!isCompleteAnswer(c.res)) c.res.headers.set("X-Request-Id", requestId);
    const path = rawPathOf(c.req.url);
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
      path,
      procedures: path.startsWith(TRPC_PREFIX) ? trpcProcedureNames(path) : undefined,
      status,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      outcome,
      ...(errors.length > 0 ? { errors } : {}),
    });
  };
}
