import { type RefObject, useCallback, useEffect, useLayoutEffect, useState } from "react";
import type { OrderSort } from "../../../api-types.ts";
import type { Column } from "../columns/columns.tsx";

// A table wider than its frame (a phone): which sides hide columns, and the sorted column kept in view.

export interface SideEdges {
  /** Columns hidden to the left (scrolled past) or to the right (beyond the frame). */
  left: boolean;
  right: boolean;
  update: () => void;
}

/** Whether the table runs past its frame on either side, kept current as it scrolls and resizes. */
export function useSideEdges(ref: RefObject<HTMLDivElement | null>, columns: readonly Column[]): SideEdges {
  const [edges, setEdges] = useState({ left: false, right: false });
  const update = useCallback(() => {
    const frame = ref.current;
    if (!frame) return;
    const left = frame.scrollLeft > 1;
    const right = frame.scrollLeft + frame.clientWidth < frame.scrollWidth - 1;
    setEdges((prev) => (prev.left === left && prev.right === right ? prev : { left, right }));
  }, [ref]);
  // Other columns change the table's width: measured again.
  useLayoutEffect(() => {
    const frame = ref.current;
    if (!frame) return;
    update();
    const observer = new ResizeObserver(update);
    observer.observe(frame);
    const table = frame.querySelector("table");
    if (table) observer.observe(table);
    return () => observer.disconnect();
  }, [ref, update, columns]);
  return { ...edges, update };
}

/**
 * The sorted column is brought into the frame when it lies (partly) beyond it, on arrival and after each
 * sort: sorting by Total on a phone shows the totals, not a column cut at the edge.
 */
export function useSortedColumnInView(ref: RefObject<HTMLDivElement | null>, sort: OrderSort): void {
  useEffect(() => {
    const frame = ref.current;
    if (!frame) return;
    const headers = [...frame.querySelectorAll<HTMLElement>("thead th")];
    const th = headers.find((h) => /^(a|de)scending$/.test(h.getAttribute("aria-sort") ?? ""));
    if (!th || th === headers[0]) return;
    const pinned = headers[0]?.offsetWidth ?? 0;
    const start = th.offsetLeft;
    const end = start + th.offsetWidth;
    if (end <= frame.scrollLeft + frame.clientWidth && start >= frame.scrollLeft + pinned) return;
    // The least scroll that shows the whole column, starting on a column's edge (none cut under the pinned one).
    const edge = headers
      .slice(1)
      .map((h) => h.offsetLeft - pinned)
      .find((left) => left <= start - pinned && end <= left + frame.clientWidth);
    frame.scrollTo({ left: Math.max(0, edge ?? start - pinned) });
  }, [ref, sort]);
}
