import { VIEW_ID_PATTERN } from "@lakebase-orders/shared";
import { z } from "zod";
import {
  dateOrder,
  orderColumns,
  orderDate,
  orderPriority,
  orderSort,
  orderStatus,
  pageSizeBound,
} from "../orders/schemas.ts";

// The saved views contract: what a view holds (the orders screen's URL state, bounded) and the procedures'
// inputs and outputs.

/** Views one user may keep: a list that fits on a screen, and a bound on what one identity can store. */
export const MAX_VIEWS_PER_OWNER = 50;

/**
 * The orders screen's state a view keeps: filters, sort, columns and density, and how the rows are paged.
 * Strict: a key the screen does not know is a bad request, not something stored and echoed back.
 */
export const viewSearch = z
  .strictObject({
    mode: z.literal("scroll").optional(),
    pageSize: pageSizeBound.optional(),
    status: orderStatus.optional(),
    priority: orderPriority.optional(),
    // The dates orders.list takes: a view that stores another would fail when opened.
    dateFrom: orderDate.optional(),
    dateTo: orderDate.optional(),
    sort: orderSort.optional(),
    /** Visible columns, in their order. */
    cols: orderColumns.optional(),
    density: z.literal("compact").optional(),
  })
  .refine(dateOrder.check, dateOrder.params);
export type ViewSearch = z.infer<typeof viewSearch>;

/** A view's id: random, 22 characters of base64url (128 bits), so a link to it cannot be guessed. */
export const viewId = z.string().regex(VIEW_ID_PATTERN, "not a view id");

export const viewName = z
  .string()
  .trim()
  .min(1, "a view needs a name")
  .max(80)
  .regex(/^[^\p{Cc}]*$/u, "a name cannot hold control characters");

export const viewIdInput = z.object({ id: viewId });

/** Saving under a name the user already has replaces that view (its id, and so its links, stay). */
export const saveViewInput = z.object({ name: viewName, search: viewSearch });
export type SaveViewInput = z.infer<typeof saveViewInput>;

export interface SavedView {
  id: string;
  name: string;
  search: ViewSearch;
  /** Who saved it (shown to those who open a shared link). */
  owner: string;
  /** The caller owns it (may replace or delete it). */
  mine: boolean;
  /** ISO 8601 */
  createdAt: string;
  /** ISO 8601 */
  updatedAt: string;
}

export interface ViewsListOutput {
  /** The caller's views, most recently saved first. */
  views: SavedView[];
  max: number;
}

export interface DeleteViewOutput {
  id: string;
  deleted: boolean;
}
