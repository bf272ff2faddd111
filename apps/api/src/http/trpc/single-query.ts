import { getTRPCErrorFromUnknown } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { Context as HonoContext } from "hono";
import { errorShape } from "../../routers/error-shape.ts";
import { runProcedure } from "../../routers/procedure-chain.ts";
import type { AppServices } from "../../start/services.ts";
import type { ApiVars } from "../api-vars.ts";
import { completeJsonAnswer } from "../complete-answers.ts";
import { procedureContext } from "./procedure-context.ts";
import { errorHeaders, reportProcedureError } from "./procedure-errors.ts";
import { QUERY_PATHS } from "./query-paths.ts";

/** One query, as the tRPC client sends it alone: `GET /api/trpc/<query>[?input=<JSON>]`. */
export interface SingleQuery {
  path: string;
  input: unknown;
}

// What tRPC's HTTP protocol answers a query with (its fetch adapter sends the same).
const HEADERS = { "content-type": "application/json", vary: "trpc-accept, accept" };

/**
 * The request as a single query, or null for any other shape: another method, a batch, a mutation or
 * subscription, a query string other than one `input`, input that is not JSON. Reads the URL only. A HEAD
 * is a GET whose body Hono drops.
 */
export function singleQueryOf(method: string, url: string): SingleQuery | null {
  if (method !== "GET" && method !== "HEAD") return null;
  const start = url.indexOf("/api/trpc/") + "/api/trpc/".length;
  const q = url.indexOf("?", start);
  const path = url.slice(start, q < 0 ? undefined : q);
  if (!QUERY_PATHS.has(path)) return null;
  const query = q < 0 ? "" : url.slice(q + 1);
  if (query === "") return { path, input: undefined };
  if (!query.startsWith("input=") || query.includes("&")) return null;
  try {
    // As URLSearchParams decodes it: "+" is a space.
    return { path, input: JSON.parse(decodeURIComponent(query.slice("input=".length).replaceAll("+", " "))) };
  } catch {
    return null;
  }
}

/**
 * Answers a single query through the router (input validation, middlewares, context: the procedure as tRPC
 * runs it), with tRPC's HTTP protocol: `{"result":{"data":...}}`, or `{"error":<shape>}` with the status of
 * its code, the router's own error shape (routers/error-shape.ts) and the same report of the failure as
 * every other path. The procedure runs on its pre-built chain (routers/procedure-chain.ts); the answer
 * carries all its headers at once (http/complete-answers.ts).
 */
export async function answerSingleQuery(
  c: HonoContext<{ Variables: ApiVars }>,
  services: AppServices,
  { path, input }: SingleQuery,
): Promise<Response> {
  const ctx = procedureContext(c, services);
  try {
    const data = await runProcedure({ path, type: "query", ctx, input });
    return completeJsonAnswer(c.get("requestId"), JSON.stringify({ result: { data } }), 200, HEADERS);
  } catch (cause) {
    const error = getTRPCErrorFromUnknown(cause);
    reportProcedureError(c.get("procedureErrors"), ctx.logger, error, path);
    return completeJsonAnswer(
      c.get("requestId"),
      JSON.stringify({ error: errorShape(error, path) }),
      getHTTPStatusCodeFromError(error),
      { ...HEADERS, ...errorHeaders([error]) },
    );
  }
}
