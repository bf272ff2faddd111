import { invalid } from "./errors.ts";

/** A protobuf Duration as JSON: seconds with an `s` suffix, e.g. `"3600s"` or `"0.250s"`. */
const DURATION = /^(\d+)(\.\d{1,9})?s$/;

export function parseDuration(value: string, field: string): number {
  const match = DURATION.exec(value);
  if (!match) throw invalid(`Field '${field}' is not a duration like "3600s": ${JSON.stringify(value)}`);
  return Number(`${match[1]}${match[2] ?? ""}`);
}

export function formatDuration(seconds: number): string {
  return Number.isInteger(seconds) ? `${seconds}s` : `${seconds.toFixed(3)}s`;
}

/** A protobuf Timestamp as JSON (RFC 3339), checked. */
export function parseTimestamp(value: string, field: string): Date {
  const time = new Date(value);
  if (Number.isNaN(time.getTime()))
    throw invalid(`Field '${field}' is not a timestamp: ${JSON.stringify(value)}`);
  return time;
}
