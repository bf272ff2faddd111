import type { ListOutput, StreamOutput } from "../schemas.ts";

// A page from the rows a statement read: statements ask for one row more than the page size, and that row
// only says whether there is a next page. Shared with the bench's HTTP floor (the `./orders-sql` export), so
// both answer the same pages for the same rows.

/** `orders.list`'s page: numbered pages, the total when it was counted. */
export function listPage<R extends { orderKey: number }>(
  input: { page: number; pageSize: number },
  rows: R[],
  totalCount: number | null,
): { orders: R[]; pagination: ListOutput["pagination"] } {
  return {
    orders: rows.length > input.pageSize ? rows.slice(0, input.pageSize) : rows,
    pagination: {
      page: input.page,
      pageSize: input.pageSize,
      hasNext: rows.length > input.pageSize,
      hasPrevious: input.page > 1,
      totalCount,
      totalPages: totalCount === null ? null : Math.ceil(totalCount / input.pageSize),
    },
  };
}

/**
 * `orders.stream`'s page: keyset paging by order key. Rows are always read in ascending key order; going
 * backward, they are reversed and the next cursor is the page's first key.
 */
export function streamPage<R extends { orderKey: number }>(
  input: { pageSize: number; direction?: "forward" | "backward" | undefined },
  rows: R[],
): { orders: R[]; pagination: StreamOutput["pagination"] } {
  const backward = input.direction === "backward";
  const hasNext = rows.length > input.pageSize;
  const orders = rows.slice(0, input.pageSize);
  if (backward) orders.reverse();
  const edge = backward ? orders[0] : orders.at(-1);
  return { orders, pagination: { nextCursor: hasNext && edge ? Number(edge.orderKey) : null, hasNext } };
}
