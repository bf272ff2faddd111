import type { ButtonHTMLAttributes, ReactNode } from "react";
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
 * A pager button that keeps the keyboard focus when it cannot act (`aria-disabled`, not `disabled`: a
 * disabled button drops the focus to the page, as Next does while its page loads, or Previous on page 1).
 */
function PageButton({
  off,
  onGo,
  children,
  ...rest
}: { off: boolean; onGo: () => void; children: ReactNode } & ButtonHTMLAttributes<HTMLButtonElement>) {
  return (
    <button
      type="button"
      aria-disabled={off || undefined}
      onClick={() => (off ? undefined : onGo())}
      {...rest}
    >
      {children}
    </button>
  );
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
        <PageButton onGo={() => goToPage(1)} off={off || !pagination.hasPrevious}>
          First
        </PageButton>
        <PageButton onGo={() => goToPage(page - 1)} off={off || !pagination.hasPrevious}>
          Previous
        </PageButton>
        <span className="page-numbers">
          {pagination
            ? pageWindow(page, totalPages).map((p, i) =>
                p === null ? (
                  <span key={`gap-${i}`} className="pager-gap" aria-hidden="true">
                    …
                  </span>
                ) : (
                  <PageButton
                    key={p}
                    className="page-number"
                    aria-current={p === page ? "page" : undefined}
                    aria-label={`Page ${p}`}
                    off={off || (p > page && !pagination.hasNext)}
                    onGo={() => goToPage(p)}
                  >
                    {format.integer(p)}
                  </PageButton>
                ),
              )
            : null}
        </span>
        <PageButton onGo={() => goToPage(page + 1)} off={off || !pagination.hasNext}>
          Next
        </PageButton>
        <PageButton
          onGo={() => totalPages && goToPage(totalPages)}
          off={off || !pagination.hasNext || totalPages === null}
        >
          Last
        </PageButton>
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
