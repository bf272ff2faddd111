import type { ListPagination } from "../../../api-types.ts";
import type { Format } from "../../../format.ts";
import { useFormat } from "../../../locale.ts";
import { PAGE_SIZES } from "../search/search.ts";
import { useOrdersSearch } from "../search/use-orders-search.ts";

export interface PagerProps {
  /** Undefined until the first page arrives. */
  pagination: ListPagination | undefined;
  /** While the next page loads: the buttons wait for it. */
  disabled?: boolean;
}

/** Page numbers around the current one, with gaps marked by null: 1 … 4 5 [6] 7 8 … 20. */
export function pageWindow(page: number, totalPages: number | null, radius = 2): (number | null)[] {
  const last = totalPages ?? page + 1;
  const pages: (number | null)[] = [];
  const from = Math.max(1, page - radius);
  const to = Math.min(last, page + radius);
  if (from > 1) pages.push(1);
  if (from > 2) pages.push(null);
  for (let p = from; p <= to; p++) pages.push(p);
  if (totalPages !== null && to < totalPages - 1) pages.push(null);
  if (totalPages !== null && to < totalPages) pages.push(totalPages);
  return pages;
}

function summaryOf(
  { page, pageSize, totalCount, totalPages }: ListPagination,
  { integer: formatInteger }: Format,
): string {
  const first = (page - 1) * pageSize + 1;
  if (totalCount === null) return `Page ${formatInteger(page)}`;
  if (totalCount === 0) return "No orders";
  const last = Math.min(first + pageSize - 1, totalCount);
  return `Orders ${formatInteger(first)}–${formatInteger(last)} of ${formatInteger(totalCount)} · page ${formatInteger(page)} of ${formatInteger(totalPages ?? 1)}`;
}

/**
 * Pages of the current result. Rendered before the first page arrives too (buttons disabled), and the page
 * numbers sit in a box of fixed width, so nothing around the pager moves when the data comes in.
 */
export function Pager({ pagination, disabled }: PagerProps) {
  const { view, goToPage, setPageSize } = useOrdersSearch();
  const format = useFormat();
  const page = pagination?.page ?? view.page;
  const pageSize = pagination?.pageSize ?? view.pageSize;
  const totalPages = pagination?.totalPages ?? null;
  const off = disabled || !pagination;
  const sizes = (PAGE_SIZES as readonly number[]).includes(pageSize) ? PAGE_SIZES : [...PAGE_SIZES, pageSize];
  return (
    <nav className="pager" aria-label="Pagination">
      <p className="pager-summary" aria-live="polite">
        {pagination ? summaryOf(pagination, format) : "Loading orders…"}
      </p>
      <div className="pager-buttons">
        <button type="button" onClick={() => goToPage(1)} disabled={off || !pagination.hasPrevious}>
          First
        </button>
        <button type="button" onClick={() => goToPage(page - 1)} disabled={off || !pagination.hasPrevious}>
          Previous
        </button>
        <span className="page-numbers">
          {pagination
            ? pageWindow(page, totalPages).map((p, i) =>
                p === null ? (
                  <span key={`gap-${i}`} className="pager-gap" aria-hidden="true">
                    …
                  </span>
                ) : (
                  <button
                    key={p}
                    type="button"
                    className="page-number"
                    aria-current={p === page ? "page" : undefined}
                    aria-label={`Page ${p}`}
                    disabled={off || (p > page && !pagination.hasNext)}
                    onClick={() => goToPage(p)}
                  >
                    {format.integer(p)}
                  </button>
                ),
              )
            : null}
        </span>
        <button type="button" onClick={() => goToPage(page + 1)} disabled={off || !pagination.hasNext}>
          Next
        </button>
        <button
          type="button"
          onClick={() => totalPages && goToPage(totalPages)}
          disabled={off || !pagination.hasNext || totalPages === null}
        >
          Last
        </button>
        <label className="page-size">
          <span className="page-size-label">Rows per page</span>
          <select value={pageSize} onChange={(event) => setPageSize(Number(event.target.value))}>
            {sizes.map((size) => (
              <option key={size} value={size}>
                {size}
              </option>
            ))}
          </select>
        </label>
      </div>
    </nav>
  );
}
