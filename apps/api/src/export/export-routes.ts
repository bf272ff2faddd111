import { serializeError } from "@lakebase-orders/log";
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { isDomainError, retryAfterHeaders } from "../errors/domain-error.ts";
import { HTTP_STATUSES } from "../errors/to-trpc-error.ts";
import type { ApiVars } from "../http/api-vars.ts";
import { RateLimitedError } from "../http/guards/rate-limit.ts";
import { presentedWriteToken } from "../http/write-position.ts";
import { userTokenOf } from "../identity/user-token.ts";
import { readAccess } from "../orders/reads/access.ts";
import { CSV_NAMES } from "../orders/reads/csv-statement.ts";
import { listInput, orderColumns } from "../orders/schemas.ts";
import type { ReadOptions } from "../orders/types.ts";
import type { AppServices } from "../start/services.ts";
import { alreadyRunning, atLimit, exportAdmission } from "./admission.ts";
import { createExportSlots } from "./export-slots.ts";
import { exportFileName } from "./file-name.ts";

/** Anonymous callers' export budget: their own, smaller one (and one export at a time between all of them). */
const ANONYMOUS_TIMEOUT_MS = 60_000;
/** The key anonymous callers share for the one-at-a-time rule: each address alone would be no limit. */
const ANONYMOUS = "anonymous";

const columnsParam = z
  .string()
  .max(200)
  .transform((s) => s.split(","))
  .pipe(orderColumns);
/** `labels` (default): the screen's headers and labels; `api`: field names and codes, for machines. */
const formatParam = z.enum(CSV_NAMES).default("labels");

const detail = (error: z.ZodError) =>
  error.issues.map((i) => `${i.path.join(".") || "query"}: ${i.message}`).join("; ");

/**
 * `GET /api/export/orders.csv?status=&priority=&dateFrom=&dateTo=&sort=&columns=&format=`: every order the
 * filters match, in the sort's order, as CSV streamed from PostgreSQL's COPY. Filters and sort are the ones
 * `orders.list` takes, validated by its schema; `columns` (comma-separated field names) picks and orders the
 * columns; `format=api` writes the API's names and codes instead of the screen's. Mounted under /api, so every
 * guard of /api applies to it. An export cannot take the database down: it is charged to the caller's read
 * budget like any uncached read, runs one at a time per caller (anonymous callers share one) within
 * EXPORTS_AT_ONCE for the whole app, under a statement budget, and stops in the database as soon as its
 * client goes away, before its first byte (while sorting) or after.
 */
export function exportRoutes(services: AppServices) {
  const { logger, config } = services;
  const slots = createExportSlots({ perProcess: config.limits.exportsAtOnce });
  const fail = (message: string, status: ContentfulStatusCode, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify({ detail: message }), {
      status,
      headers: { "Content-Type": "application/json", ...headers },
    });
  const refused = (error: RateLimitedError) =>
    fail(error.message, 429, { "Retry-After": String(error.retryAfterSeconds) });

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
    const format = formatParam.safeParse(q.format);
    if (!format.success) return fail(detail(format.error), 400);

    // Decided by the /api guards (identity/identify.ts), like every other route's.
    const identity = c.get("identity");
    const anonymous = identity.source === "anonymous";
    try {
      c.get("budget").uncachedRead();
    } catch (error) {
      if (error instanceof RateLimitedError) return refused(error);
      throw error;
    }
    // This process's own count first: a flood of exports is refused without a database round trip.
    const caller = anonymous ? ANONYMOUS : identity.actor;
    const slot = slots.take(caller);
    if (!slot.ok) return refused(slot.why === "yours" ? alreadyRunning() : atLimit());
    // As for every orders read: 503 while the database is not ready, 412 while the synced table cannot be
    // read (the reason in both), the primary for a caller who has just written.
    let read: ReadOptions;
    try {
      read = await readAccess(
        services,
        identity,
        userTokenOf(services.config.identity, identity, c.req.raw.headers),
        presentedWriteToken(c.req.raw.headers),
      );
    } catch (error) {
      slot.release();
      if (isDomainError(error)) {
        return fail(
          error.message,
          HTTP_STATUSES[error.kind] as ContentfulStatusCode,
          retryAfterHeaders(error),
        );
      }
      throw error;
    }

    const { status, priority, dateFrom, dateTo, sort } = input.data;
    const filters = { status, priority, dateFrom, dateTo };
    const fileName = exportFileName(filters, sort);
    const requestId = c.get("requestId");
    const started = performance.now();
    const budgetMs = anonymous
      ? Math.min(ANONYMOUS_TIMEOUT_MS, config.limits.exportTimeoutSeconds * 1000)
      : config.limits.exportTimeoutSeconds * 1000;
    const onDone = (result: { rows: number; bytes: number; error?: unknown }) => {
      const facts = {
        requestId,
        fileName,
        rows: result.rows,
        bytes: result.bytes,
        durationMs: Math.round(performance.now() - started),
        anonymous,
        budgetSeconds: budgetMs / 1000,
      };
      if (result.error) logger.warn("export ended early", { ...facts, error: serializeError(result.error) });
      else logger.info("export finished", facts);
    };
    // The HTTP client's own signal: aborted when it goes away, whatever the export is doing then.
    const signal = c.req.raw.signal;
    const copy = {
      timeoutMs: budgetMs,
      signal,
      prepare: exportAdmission(caller, config.limits.exportsAtOnce),
      onEnd: slot.release,
      onDone,
    };
    let body: ReadableStream<Uint8Array>;
    try {
      body = await services.orders.csv(
        { filters, sort, columns: columns?.data, names: format.data },
        copy,
        read,
      );
    } catch (error) {
      slot.release();
      if (error instanceof RateLimitedError) return refused(error);
      if (signal.aborted) {
        logger.info("export cancelled before its first byte", {
          requestId,
          fileName,
          durationMs: Math.round(performance.now() - started),
        });
        return fail("The export was cancelled", 400);
      }
      if (isDomainError(error)) {
        return fail(
          error.message,
          HTTP_STATUSES[error.kind] as ContentfulStatusCode,
          retryAfterHeaders(error),
        );
      }
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
