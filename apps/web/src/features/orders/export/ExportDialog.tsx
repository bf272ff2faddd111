import { useEffect, useRef, useState } from "react";
import { useFormat } from "../../../locale.ts";
import { Dialog } from "../../../ui/Dialog.tsx";
import { useOrderStats } from "../queries.ts";
import { useOrdersSearch } from "../search/use-orders-search.ts";
import { downloadCsv, type ExportProgress, type ExportResult, exportUrl } from "./download-csv.ts";

type State =
  | { step: "running"; progress: ExportProgress }
  | { step: "done"; result: ExportResult; href: string }
  | { step: "failed"; message: string }
  | { step: "cancelled" };

/** Hands a finished file to the browser's download (as a click on a download link would). */
function save(href: string, fileName: string) {
  const link = document.createElement("a");
  link.href = href;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
}

/**
 * Exports what the table shows (its filters, sort and columns) as CSV: starts at once, shows the rows
 * received against the count of the filters, and saves the file when it is complete. Closing cancels a
 * running export (the server stops reading the table).
 */
export function ExportDialog({ onClose }: { onClose: () => void }) {
  const { view } = useOrdersSearch();
  const format = useFormat();
  const total = useOrderStats(view.filters).data?.totalOrders ?? null;
  const [state, setState] = useState<State>({ step: "running", progress: { rows: 0, bytes: 0 } });
  const abort = useRef<AbortController | null>(null);
  // What is exported is fixed when the dialog opens.
  const [url] = useState(() => exportUrl({ filters: view.filters, sort: view.sort, columns: view.columns }));

  useEffect(() => {
    const controller = new AbortController();
    abort.current = controller;
    let href: string | null = null;
    // Started a task later: a mount that is undone at once (React's StrictMode checks) never sends a request.
    const start = setTimeout(() => {
      downloadCsv(url, {
        signal: controller.signal,
        onProgress: (progress) => setState({ step: "running", progress }),
      }).then(
        (result) => {
          href = URL.createObjectURL(result.blob);
          setState({ step: "done", result, href });
          save(href, result.fileName);
        },
        (error: unknown) => {
          if (controller.signal.aborted) return;
          setState({ step: "failed", message: error instanceof Error ? error.message : String(error) });
        },
      );
    });
    return () => {
      clearTimeout(start);
      controller.abort();
      if (href) URL.revokeObjectURL(href);
    };
  }, [url]);

  const closeRef = useRef<HTMLButtonElement>(null);
  const cancel = () => {
    // The Cancel button goes with the running state: the focus moves to Close.
    closeRef.current?.focus();
    abort.current?.abort();
    setState({ step: "cancelled" });
  };

  const mb = (bytes: number) => `${format.integer(Math.round(bytes / 100_000) / 10)} MB`;
  const running = state.step === "running";
  return (
    <Dialog title="Export CSV" onClose={onClose}>
      <p>
        Every order of the current filters
        {total !== null ? ` (${format.integer(total)})` : ""}, in the table's sort and with its columns, as
        CSV.
      </p>
      {running ? (
        <>
          <progress
            max={total ?? undefined}
            value={total ? Math.min(state.progress.rows, total) : undefined}
            aria-label="Export progress"
          />
          <p role="status" className="export-status">
            {state.progress.rows === 0
              ? "Preparing the export…"
              : `${format.integer(state.progress.rows)}${total !== null ? ` of ${format.integer(total)}` : ""} rows (${mb(state.progress.bytes)})`}
          </p>
        </>
      ) : null}
      {state.step === "done" ? (
        <p role="status" className="export-status">
          Exported {format.integer(state.result.rows)} rows ({mb(state.result.bytes)}) to{" "}
          <a href={state.href} download={state.result.fileName}>
            {state.result.fileName}
          </a>
          .
        </p>
      ) : null}
      {state.step === "failed" ? (
        <p role="alert" className="export-status">
          {state.message}
        </p>
      ) : null}
      {state.step === "cancelled" ? (
        <p role="status" className="export-status">
          Export cancelled.
        </p>
      ) : null}
      <div className="actions">
        {running ? (
          <button type="button" onClick={cancel}>
            Cancel export
          </button>
        ) : null}
        <button type="button" className="primary" ref={closeRef} onClick={onClose}>
          {running ? "Close and cancel" : "Close"}
        </button>
      </div>
    </Dialog>
  );
}
