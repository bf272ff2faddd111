import { formatInteger, formatPercent } from "../format.ts";

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
