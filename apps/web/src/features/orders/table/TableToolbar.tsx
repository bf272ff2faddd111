import { lazy, Suspense, useState } from "react";
import { useOrdersSearch } from "../search/use-orders-search.ts";
import { TREND_TOGGLE_ID } from "../trend/TrendPanel.tsx";
import { SharedViewNotice } from "../views/SharedViewNotice.tsx";

// Each tool's dialog is its own chunk, loaded on first use: none of them is part of the first visit.
const ColumnsDialog = lazy(() =>
  import("../columns/ColumnsDialog.tsx").then((m) => ({ default: m.ColumnsDialog })),
);
const ViewsDialog = lazy(() => import("../views/ViewsDialog.tsx").then((m) => ({ default: m.ViewsDialog })));
const ExportDialog = lazy(() =>
  import("../export/ExportDialog.tsx").then((m) => ({ default: m.ExportDialog })),
);

type Tool = "columns" | "views" | "export";

/** Above the table: the columns, the saved views, the CSV export and the trend, and a shared view's notice. */
export function TableToolbar() {
  const { view, showTrend } = useOrdersSearch();
  const [open, setOpen] = useState<Tool | null>(null);
  const close = () => setOpen(null);
  const trendOpen = view.trend !== undefined;
  return (
    <div className="table-toolbar">
      <button type="button" onClick={() => setOpen("columns")} aria-haspopup="dialog">
        Columns…
      </button>
      <button type="button" onClick={() => setOpen("views")} aria-haspopup="dialog">
        Views…
      </button>
      <button type="button" onClick={() => setOpen("export")} aria-haspopup="dialog">
        Export CSV…
      </button>
      <button
        type="button"
        id={TREND_TOGGLE_ID}
        aria-pressed={trendOpen}
        onClick={() => showTrend(trendOpen ? undefined : "status")}
      >
        Trend
      </button>
      <SharedViewNotice />
      <Suspense fallback={null}>
        {open === "columns" ? <ColumnsDialog onClose={close} /> : null}
        {open === "views" ? <ViewsDialog onClose={close} /> : null}
        {open === "export" ? <ExportDialog onClose={close} /> : null}
      </Suspense>
    </div>
  );
}
