import type { ListPagination } from "../../api-types.ts";
import { formatInteger } from "../../format.ts";
import { PAGE_SIZES } from "./search.ts";
import { useOrdersSearch } from "./use-orders-search.ts";

export interface PagerProps {
  pagination: ListPagination;
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

export function Pager({ pagination, disabled }: PagerProps) {
  const { goToPage, setPageSize } = useOrdersSearch();
  const { page, pageSize, hasNext, hasPrevious, totalCount, totalPages } = pagination;
  const first = (page - 1) * pageSize + 1;
  const sizes = (PAGE_SIZES as readonly number[]).includes(pageSize) ? PAGE_SIZES : [...PAGE_SIZES, pageSize];
  return (
    <nav className="pager" aria-label="Pagination">
      <p className="pager-summary" aria-live="polite">
        {totalCount === null
          ? `Page ${formatInteger(page)}`
          : totalCount === 0
            ? "No orders"
            : `Orders ${formatInteger(first)}–${formatInteger(Math.min(first + pageSize - 1, totalCount))} of ${formatInteger(totalCount)} · page ${formatInteger(page)} of ${formatInteger(totalPages ?? 1)}`}
      </p>
      <div className="pager-buttons">
        <button type="button" onClick={() => goToPage(1)} disabled={disabled || !hasPrevious}>
          First
        </button>
        <button type="button" onClick={() => goToPage(page - 1)} disabled={disabled || !hasPrevious}>
          Previous
        </button>
        {pageWindow(page, totalPages).map((p, i) =>
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
              disabled={disabled || (p > page && !hasNext)}
              onClick={() => goToPage(p)}
            >
              {formatInteger(p)}
            </button>
          ),
        )}
        <button type="button" onClick={() => goToPage(page + 1)} disabled={disabled || !hasNext}>
          Next
        </button>
        <button
          type="button"
          onClick={() => totalPages && goToPage(totalPages)}
          disabled={disabled || !hasNext || totalPages === null}
        >
          Last
        </button>
        <label className="page-size">
          Rows per page
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
