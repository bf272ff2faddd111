import type { ListPagination } from "../../../api-types.ts";
import { useFormat } from "../../../locale.ts";
import { useOrdersSearch } from "../search/use-orders-search.ts";

/**
 * Why the table has no rows, and the way out: a page past the last one (a stale or hand-edited link), filters
 * nothing matches, or a table with no orders at all.
 */
export function EmptyState({ pagination }: { pagination?: ListPagination | undefined }) {
  const { view, goToPage, resetView } = useOrdersSearch();
  const format = useFormat();
  const page = pagination?.page ?? view.page;
  const total = pagination?.totalCount ?? null;
  const last = pagination?.totalPages ?? null;
  if (page > 1 && total !== 0) {
    return (
      <div className="empty-state" role="status">
        <p>
          Page {format.integer(page)} is past the last page
          {last ? ` (page ${format.integer(last)})` : ""}
          {view.hasFilters ? " of these filters" : ""}.
        </p>
        <button type="button" onClick={() => goToPage(last ?? 1)}>
          {last ? "Go to the last page" : "Go to the first page"}
        </button>
      </div>
    );
  }
  if (view.hasFilters) {
    return (
      <div className="empty-state" role="status">
        <p>No orders match these filters.</p>
        <button type="button" onClick={resetView}>
          Clear filters
        </button>
      </div>
    );
  }
  return (
    <div className="empty-state" role="status">
      <p>There are no orders in the table yet.</p>
    </div>
  );
}
