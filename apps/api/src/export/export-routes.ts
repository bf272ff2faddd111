import { isUnreachable } from "@lakebase-orders/db";
import { serializeError } from "@lakebase-orders/log";
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { isDomainError } from "../errors/domain-error.ts";
import { HTTP_STATUSES } from "../errors/to-trpc-error.ts";
import type { ApiVars } from "../http/api-vars.ts";
import { mapDbError } from "../orders/db-errors.ts";
import type { DataAvailability } from "../orders/reads/availability.ts";
import { copyOut } from "../orders/reads/copy-out.ts";
import { listInput, orderColumns } from "../orders/schemas.ts";
import { syncedTable } from "../orders/tables.ts";
import type { AppServices } from "../start/services.ts";
import { copyStatement } from "./csv-query.ts";
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
  const { config, db, logger } = services;
  const table = syncedTable(config.lakebase.syncedTable);
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

    // Not ready (the database unreachable or not migrated yet) is 503 with the reason, as for orders.list.
    let availability: DataAvailability;
    try {
      availability = await services.availability();
    } catch (error) {
      if (isDomainError(error)) return fail(error.message, HTTP_STATUSES[error.kind] as ContentfulStatusCode);
      throw error;
    }
    if (!availability.available) return fail(availability.reason, 412);

    // Decided by the /api guards (identity/identify.ts), like every other route's.
    const identity = c.get("identity");
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
    const statement = copyStatement(table, { filters, sort, columns: columns?.data });
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
    // The caller's own recent change must show: the primary then, as for every orders read.
    const fromPrimary = services.recentWriters.isRecent(identity.actor) || !db.readPool;
    const options = { timeoutMs: EXPORT_TIMEOUT_MS, signal: replaced.signal, onEnd: release, onDone };
    let body: ReadableStream<Uint8Array>;
    try {
      body = await copyOut(fromPrimary ? db.pool : (db.readPool ?? db.pool), statement, options).catch(
        (error: unknown) => {
          // An unreachable replica: the primary has the same rows.
          if (fromPrimary || !isUnreachable(error)) throw error;
          return copyOut(db.pool, statement, options);
        },
      );
    } catch (error) {
      release();
      if (replaced.signal.aborted) return fail("A newer export of yours replaced this one", 409);
      const mapped = mapDbError(error, table.fullName);
      if (isDomainError(mapped))
        return fail(mapped.message, HTTP_STATUSES[mapped.kind] as ContentfulStatusCode);
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
