import { stateLabel } from "../labels.ts";

/**
 * A Lakebase state (AVAILABLE, STARTING, SYNCED_TABLE_ONLINE..., an operation's SUCCEEDED) as its label, with a
 * tone by meaning; the code is in the tooltip.
 */
export function ResourceStateBadge({ state }: { state: string | null | undefined }) {
  const code = state ?? "NOT_FOUND";
  const { label, tone } = stateLabel(code);
  return (
    <span className={`badge badge-${tone}`} title={code}>
      {label}
    </span>
  );
}
