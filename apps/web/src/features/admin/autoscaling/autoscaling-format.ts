// Lakebase Autoscaling's numbers and states in words: compute sizes, durations, expiries, the states of
// branches and endpoints, and the checks of the forms' values before they are sent. Pure functions (no React,
// no browser), so each rule is tested on its own.
import type { Label } from "../../../labels.ts";

/** What the `postgres` API accepts (see the API's autoscaling/schemas.ts): CU in halves, 0.5 to 64. */
export const CU_MIN = 0.5;
export const CU_MAX = 64;
/** Max CU may be at most this far above min CU. */
export const CU_SPREAD = 16;
/** A TTL of at most 30 days; a suspend timeout of 60 s to 7 days. */
export const TTL_MAX_SECONDS = 30 * 86_400;

/** Scale-to-zero choices offered (null: never suspend). */
export const SUSPEND_CHOICES: readonly (number | null)[] = [60, 300, 900, 3600, 86_400, null];
/** Branch lifetimes offered (null: no expiry). */
export const TTL_CHOICES: readonly (number | null)[] = [
  3600,
  4 * 3600,
  86_400,
  7 * 86_400,
  30 * 86_400,
  null,
];

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

/** 45 -> "45 s", 300 -> "5 min", 5400 -> "1 h 30 min", 86400 -> "1 day", 604800 -> "7 days". */
export function durationLabel(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) {
    const m = Math.floor(s / 60);
    const rest = s % 60;
    return rest ? `${m} min ${rest} s` : `${m} min`;
  }
  if (s < 86_400) {
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return m ? `${h} h ${m} min` : `${h} h`;
  }
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  return h ? `${plural(d, "day")} ${h} h` : plural(d, "day");
}

/** "0.5–2 CU"; one figure when min and max agree; a dash when unknown. */
export function cuRangeLabel(min: number | null, max: number | null): string {
  if (min === null && max === null) return "—";
  if (min === null || max === null || min === max) return `${min ?? max} CU`;
  return `${min}–${max} CU`;
}

/** When an endpoint scales to zero. */
export function suspendLabel(seconds: number | null): string {
  return seconds === null ? "Never (always running)" : `After ${durationLabel(seconds)} idle`;
}

/** A choice of the TTL select. */
export function ttlChoiceLabel(seconds: number | null): string {
  return seconds === null ? "No expiry (until deleted)" : durationLabel(seconds);
}

export interface EndpointLike {
  state: string | null;
  detail: { disabled: boolean; type: "read-write" | "read-only" };
}

/**
 * An endpoint's state as people read it, with what it means for a query. IDLE is scale to zero: the compute
 * is suspended (or not started yet) and the next connection starts it, after a short wait.
 */
export function endpointState(e: EndpointLike): Label & { note: string | null } {
  if (e.detail.disabled) {
    return { label: "Stopped", tone: "idle", note: "refuses connections until an admin starts it" };
  }
  switch (e.state) {
    case "ACTIVE":
      return { label: "Running", tone: "ok", note: null };
    case "IDLE":
      return { label: "Asleep", tone: "idle", note: "wakes on the next query (a short wait)" };
    case "INIT":
      return { label: "Being created", tone: "busy", note: null };
    case "DEGRADED":
      return { label: "Degraded", tone: "bad", note: null };
    case null:
      return { label: "Unknown", tone: "idle", note: null };
    default:
      return { label: humanState(e.state), tone: "busy", note: null };
  }
}

const BRANCH_STATES: Readonly<Record<string, Label>> = {
  INIT: { label: "Being created", tone: "busy" },
  READY: { label: "Ready", tone: "ok" },
  ARCHIVED: { label: "Archived", tone: "idle" },
  IMPORTING: { label: "Importing", tone: "busy" },
  RESETTING: { label: "Being reset", tone: "busy" },
  DELETED: { label: "Deleted", tone: "idle" },
};

export function branchState(state: string | null): Label {
  if (state === null) return { label: "Unknown", tone: "idle" };
  return BRANCH_STATES[state] ?? { label: humanState(state), tone: "busy" };
}

function humanState(code: string): string {
  const words = code.replaceAll(/[_-]+/g, " ").trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** "in 59 min", "in 3 h", "in 2 days"; "now" within a second; past times read "… ago". */
export function relativeTime(at: number, now: number): string {
  const delta = Math.round((at - now) / 1000);
  if (Math.abs(delta) < 1) return "now";
  const span = durationLabel(Math.abs(delta) >= 60 ? Math.floor(Math.abs(delta) / 60) * 60 : Math.abs(delta));
  return delta > 0 ? `in ${span}` : `${span} ago`;
}

/** When a branch goes on its own: never, in some time, or overdue (expired, its removal pending). */
export function expiryLabel(expiresAt: string | null, now: number): string {
  if (expiresAt === null) return "Never (until deleted)";
  const at = Date.parse(expiresAt);
  if (Number.isNaN(at)) return expiresAt;
  return at > now ? `Expires ${relativeTime(at, now)}` : "Expired: being removed";
}

/** The full name's last part: `projects/p/branches/dev` -> `dev`. */
export function idOf(name: string | null): string | null {
  if (name === null) return null;
  return name.slice(name.lastIndexOf("/") + 1);
}

/** Why a min/max CU pair would be refused (the service's rules), in words; null when it is fine. */
export function computeProblem(minCu: number, maxCu: number): string | null {
  for (const [what, v] of [
    ["Min CU", minCu],
    ["Max CU", maxCu],
  ] as const) {
    if (!Number.isFinite(v) || v < CU_MIN || v > CU_MAX)
      return `${what} must be between ${CU_MIN} and ${CU_MAX}.`;
    if (!Number.isInteger(v * 2)) return `${what} must be a multiple of 0.5.`;
  }
  if (maxCu < minCu) return "Max CU must be at least min CU.";
  if (maxCu - minCu > CU_SPREAD) return `Max CU may be at most ${CU_SPREAD} above min CU.`;
  return null;
}

const RESOURCE_ID = /^[a-z][a-z0-9-]{0,62}$/;

/** Why a branch or endpoint id would be refused; null when it is fine. */
export function idProblem(id: string): string | null {
  if (id.length === 0) return "Give it an id.";
  if (id.length > 63) return "At most 63 characters.";
  if (!RESOURCE_ID.test(id)) return "Lowercase letters, digits and hyphens, starting with a letter.";
  return null;
}

/** A `<input type="datetime-local">` value (local time, to the minute) for an instant. */
export function toLocalInput(at: number): string {
  const d = new Date(at);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * A past point to branch from, checked against the project's history window: its instant, or why it cannot
 * be used. `value` is a datetime-local value (the browser's time zone).
 */
export function pointInTimeOf(
  value: string,
  historySeconds: number | null,
  now: number,
): { at: number; problem: null } | { at: null; problem: string } {
  const at = value ? new Date(value).getTime() : Number.NaN;
  if (Number.isNaN(at)) return { at: null, problem: "Give a complete date and time." };
  if (at > now) return { at: null, problem: "The time must not be in the future." };
  if (historySeconds !== null && at < now - historySeconds * 1000) {
    return {
      at: null,
      problem: `The time must be within the project's history window (the last ${durationLabel(historySeconds)}).`,
    };
  }
  return { at, problem: null };
}
