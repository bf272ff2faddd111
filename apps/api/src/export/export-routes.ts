import { serializeError } from "@lakebase-orders/log";
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { isDomainError, retryAfterHeaders } from "../errors/domain-error.ts";
import { HTTP_STATUSES } from "../errors/to-trpc-error.ts";
import type { ApiVars } from "../http/api-vars.ts";
import { readAccess } from "../orders/reads/access.ts";
import { listInput, orderColumns } from "../orders/schemas.ts";
import type { ReadOptions } from "../orders/types.ts";
import type { AppServices } from "../start/services.ts";
import { createExportSlots } from "./export-slots.ts";
import { exportFileName } from "./file-name.ts";

/** The longest an export may run (the whole 1.5 M-row table takes seconds; a stalled reader is cut off). */
const EXPORT_TIMEOUT_MS = 15 * 60_000;
const SLOTS = { perProcess: 2 };
const RETRY_AFTER_SECONDS = 5;

const columnsParam = z
  .string()
  .max(200)
  .transform((s) => s.split(","))
  .pipe(orderColumns);

const detail = (error: z.ZodError) =>
  error.issues.map((i) => `${i.path.join(".") || "query"}: ${i.message}`).join("; ");

/**
 * `GET /api/export/orders.csv?status=&priority=&dateFrom=&dateTo=&sort=&columns=`: every order the filters
 * match, in the sort's order, as CSV streamed from PostgreSQL's COPY. Filters and sort are the ones
 * `orders.list` takes, validated by its schema; `columns` (comma-separated field names) picks and orders the
 * columns. Mounted under /api, so every guard of /api applies to it.
 */
export function exportRoutes(services: AppServices) {
  const { logger } = services;
  const slots = createExportSlots(SLOTS);
  const fail = (message: string, status: ContentfulStatusCode, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify({ detail: message }), {
      status,
      headers: { "Content-Type": "application/json", ...headers },
    });

  return new Hono<{ Variables: ApiVars }>().get("/export/orders.csv", async (c) => {
    const q = c.req.query();
    const input = listInput.safeParse({
      status: q.status,
      priority: q.priority,
      dateFrom: q.dateFrom,
      dateTo: q.dateTo,
      sort: q.sort,
    });
    if (!input.success) return fail(detail(input.error), 400);
    const columns = q.columns === undefined ? undefined : columnsParam.safeParse(q.columns);
    if (columns && !columns.success) return fail(detail(columns.error), 400);

    // Decided by the /api guards (identity/identify.ts), like every other route's.
    const identity = c.get("identity");
    // As for every orders read: 503 while the database is not ready, 412 while the synced table cannot be
    // read (the reason in both), the primary for a caller who has just written.
    let read: ReadOptions;
    try {
      read = await readAccess(services, identity.actor);
    } catch (error) {
      if (isDomainError(error))
        return fail(
          error.message,
          HTTP_STATUSES[error.kind] as ContentfulStatusCode,
          retryAfterHeaders(error),
        );
      throw error;
    }
    const replaced = new AbortController();
    const release = slots.take(identity.actor, () => replaced.abort());
    if (!release) {
      return fail("The server is at its limit of exports running at once; retry shortly", 429, {
        "Retry-After": String(RETRY_AFTER_SECONDS),
      });
    }

    const { status, priority, dateFrom, dateTo, sort } = input.data;
    const filters = { status, priority, dateFrom, dateTo };
    const fileName = exportFileName(filters, sort);
    const requestId = c.get("requestId");
    const started = performance.now();
    const onDone = (result: { rows: number; bytes: number; error?: unknown }) => {
      const facts = {
        requestId,
        fileName,
        rows: result.rows,
        bytes: result.bytes,
        durationMs: Math.round(performance.now() - started),
      };
      if (result.error) logger.warn("export ended early", { ...facts, error: serializeError(result.error) });
      else logger.info("export finished", facts);
    };
    const copy = { timeoutMs: EXPORT_TIMEOUT_MS, signal: replaced.signal, onEnd: release, onDone };
    let body: ReadableStream<Uint8Array>;
    try {
      body = await services.orders.csv({ filters, sort, columns: columns?.data }, copy, read);
    } catch (error) {
      release();
      if (replaced.signal.aborted) return fail("A newer export of yours replaced this one", 409);
      if (isDomainError(error))
        return fail(
          error.message,
          HTTP_STATUSES[error.kind] as ContentfulStatusCode,
          retryAfterHeaders(error),
        );
      throw error;
    }
    return new Response(body, {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${fileName}"`,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
      },
    });
  });
}
