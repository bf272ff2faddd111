import type { ErrorInfo } from "../errors.ts";
import { formatInteger, formatPercent } from "../format.ts";

export function SkeletonRows({ rows, columns }: { rows: number; columns: number }) {
  return (
    <>
      {Array.from({ length: rows }, (_, row) => (
        // biome-ignore lint/a11y/noAriaHiddenOnFocusable: placeholder rows are not focusable (no tabIndex)
        <tr key={row} className="skeleton-row" aria-hidden="true">
          {Array.from({ length: columns }, (_, column) => (
            <td key={column}>
              <span className="skeleton" />
            </td>
          ))}
        </tr>
      ))}
    </>
  );
}

export function ErrorMessage({ info, onRetry }: { info: ErrorInfo; onRetry?: () => void }) {
  return (
    <div className="error-box" role="alert">
      <p className="error-title">
        <strong>{info.code.replaceAll("_", " ").toLowerCase()}</strong>
        {info.databricksCode ? <code className="error-code">{info.databricksCode}</code> : null}
      </p>
      <p>{info.message}</p>
      <p className="next-step">Next step: {info.nextStep}</p>
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

export interface SyncProgressProps {
  syncedRows: number | null;
  totalRows: number | null;
  fraction: number | null;
  label?: string;
}

/** Shown instead of an error while the synced table is still loading its first snapshot. */
export function SyncProgress({
  syncedRows,
  totalRows,
  fraction,
  label = "Data is still syncing",
}: SyncProgressProps) {
  const value = fraction ?? (syncedRows !== null && totalRows ? syncedRows / totalRows : null);
  return (
    <div className="sync-progress" role="status">
      <p>
        {label}
        {value !== null ? ` — ${formatPercent(value)}` : "…"}
        {syncedRows !== null && totalRows !== null
          ? ` (${formatInteger(syncedRows)} of ${formatInteger(totalRows)} rows)`
          : ""}
      </p>
      <progress
        aria-label={label}
        max={1}
        value={value ?? undefined}
        aria-valuetext={value !== null ? formatPercent(value) : "waiting"}
      />
    </div>
  );
}

export function EmptyState({ onClear }: { onClear?: () => void }) {
  return (
    <div className="empty-state" role="status">
      <p>No orders match these filters.</p>
      {onClear ? (
        <button type="button" onClick={onClear}>
          Clear filters
        </button>
      ) : null}
    </div>
  );
}
