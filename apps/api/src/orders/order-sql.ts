import { Prisma } from "@lakebase-orders/db";
import { notFound } from "../errors/domain-error.ts";
import type { OrderFilters } from "./schemas.ts";
import { STATUS_TABLE } from "./sql-builder.ts";

// Row mapping and errors the orders reads share (their SQL is in order-statements.ts).

/** The status overrides table for Prisma tagged templates (the status writer). */
export const STATUS = Prisma.raw(STATUS_TABLE);

export function orderNotFound(orderKey: number) {
  return notFound(`Order ${orderKey} not found`);
}

/** Cache key of a filter combination. */
export function filterKey(f: OrderFilters): string {
  return `${f.status ?? ""}|${f.priority ?? ""}|${f.dateFrom ?? ""}|${f.dateTo ?? ""}`;
}
