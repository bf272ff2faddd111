/** A Lakebase resource state (AVAILABLE, STARTING, SYNCED_TABLE_ONLINE...) with a tone by meaning. */
export function ResourceStateBadge({ state }: { state: string | null | undefined }) {
  const value = state ?? "NOT_FOUND";
  const tone = /ONLINE|AVAILABLE|ACTIVE/.test(value)
    ? "ok"
    : /FAIL|OFFLINE|DEGRADED/.test(value)
      ? "bad"
      : /STOPPED|NOT_FOUND/.test(value)
        ? "idle"
        : "busy";
  return <span className={`badge badge-${tone}`}>{value.replaceAll("_", " ").toLowerCase()}</span>;
}
