import { useEffect, useRef, useState } from "react";
import { ORDER_COLUMNS, type OrderColumn } from "../../../api-types.ts";
import { Dialog } from "../../../ui/Dialog.tsx";
import { DEFAULT_COLUMNS } from "../search/search.ts";
import { useOrdersSearch } from "../search/use-orders-search.ts";
import { headerOf } from "./columns.tsx";

/** Every column, the visible ones first in their order, then the hidden ones in the default order. */
function fullOrder(visible: readonly OrderColumn[]): OrderColumn[] {
  return [...visible, ...ORDER_COLUMNS.filter((c) => !visible.includes(c))];
}

/**
 * Shows, hides and reorders the table's columns and picks the density. Every change applies at once (in the
 * URL, so Back undoes it, and remembered in this browser). Reordering is by buttons: keyboard and screen
 * readers move a column as a mouse would.
 */
export function ColumnsDialog({ onClose }: { onClose: () => void }) {
  const { view, setColumns, setDensity, resetLayout } = useOrdersSearch();
  // The hidden columns keep their place while the dialog is open: hiding then showing one undoes itself.
  const [order, setOrder] = useState(() => fullOrder(view.columns));
  const visible = new Set(view.columns);
  const listRef = useRef<HTMLOListElement>(null);
  const [focusAfterMove, setFocusAfterMove] = useState<string | null>(null);

  useEffect(() => {
    if (!focusAfterMove) return;
    // The moved row's button keeps the focus (or its twin when it reached an end and got disabled).
    const [id, direction] = focusAfterMove.split(":");
    const other = direction === "up" ? "down" : "up";
    const list = listRef.current;
    const target =
      list?.querySelector<HTMLButtonElement>(`button[data-move="${id}:${direction}"]:not(:disabled)`) ??
      list?.querySelector<HTMLButtonElement>(`button[data-move="${id}:${other}"]`);
    target?.focus();
    setFocusAfterMove(null);
  }, [focusAfterMove]);

  const apply = (nextOrder: OrderColumn[], nextVisible: Set<OrderColumn>) => {
    setOrder(nextOrder);
    setColumns(nextOrder.filter((c) => nextVisible.has(c)));
  };

  const toggle = (id: OrderColumn) => {
    const next = new Set(visible);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    if (next.size > 0) apply(order, next);
  };

  const move = (index: number, by: -1 | 1) => {
    const target = index + by;
    if (target < 0 || target >= order.length) return;
    const next = [...order];
    const [id] = next.splice(index, 1);
    if (!id) return;
    next.splice(target, 0, id);
    apply(next, visible);
    setFocusAfterMove(`${id}:${by < 0 ? "up" : "down"}`);
  };

  const reset = () => {
    setOrder([...DEFAULT_COLUMNS]);
    resetLayout();
  };

  return (
    <Dialog title="Columns and density" onClose={onClose}>
      <p className="muted" id="columns-help">
        Checked columns show, top to bottom as left to right. Move a column with its arrows.
      </p>
      <ol className="column-list" ref={listRef} aria-describedby="columns-help">
        {order.map((id, index) => {
          const header = headerOf(id);
          const shown = visible.has(id);
          return (
            <li key={id} data-column={id}>
              <label>
                <input
                  type="checkbox"
                  checked={shown}
                  // The last visible column stays: a table needs one.
                  disabled={shown && visible.size === 1}
                  onChange={() => toggle(id)}
                />
                {header}
              </label>
              <span className="column-moves">
                <button
                  type="button"
                  className="icon-button"
                  data-move={`${id}:up`}
                  aria-label={`Move ${header} up`}
                  disabled={index === 0}
                  onClick={() => move(index, -1)}
                >
                  ↑
                </button>
                <button
                  type="button"
                  className="icon-button"
                  data-move={`${id}:down`}
                  aria-label={`Move ${header} down`}
                  disabled={index === order.length - 1}
                  onClick={() => move(index, 1)}
                >
                  ↓
                </button>
              </span>
            </li>
          );
        })}
      </ol>
      <fieldset className="density">
        <legend>Density</legend>
        <label>
          <input
            type="radio"
            name="density"
            checked={view.density === "comfortable"}
            onChange={() => setDensity("comfortable")}
          />
          Comfortable
        </label>
        <label>
          <input
            type="radio"
            name="density"
            checked={view.density === "compact"}
            onChange={() => setDensity("compact")}
          />
          Compact
        </label>
      </fieldset>
      <div className="actions">
        <button type="button" onClick={reset}>
          Reset to default
        </button>
        <button type="button" className="primary" onClick={onClose}>
          Done
        </button>
      </div>
    </Dialog>
  );
}
