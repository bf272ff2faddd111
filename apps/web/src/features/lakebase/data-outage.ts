import { isSyncedTableOnline, isSyncFailed } from "@lakebase-orders/shared";
import type { LakebaseStatus } from "../../api-types.ts";
import type { Format } from "../../format.ts";
import type { Tone } from "../../labels.ts";

// What the Lakebase status means for someone reading orders: whether they can be read now, and if not, why in
// plain words. Pure functions of the public `lakebase.status` (what every viewer may see), so the query
// client's retry rule, the orders queries and the page all decide from the same facts.

export type OutageKind =
  | "deleting"
  | "creating"
  | "missing"
  | "stopping"
  | "stopped"
  | "starting"
  | "table-missing"
  | "sync-failed"
  | "syncing"
  | "sync-behind"
  | "failing-over";

/** The status fields the rules read (what a non-admin is shown is enough). */
export type OutageInput = Pick<LakebaseStatus, "configured" | "instance" | "syncedTable" | "operation">;

/** Kinds during which orders cannot be read: the SPA asks for none and says why instead. */
const BLOCKING: ReadonlySet<OutageKind> = new Set([
  "deleting",
  "creating",
  "missing",
  "stopping",
  "stopped",
  "starting",
  "table-missing",
  "sync-failed",
  "syncing",
]);

/**
 * What keeps (or may keep) the orders from being read, from the status; null when nothing does, or when
 * nothing is known (no status yet, or no Databricks workspace configured: the app then reads a plain database).
 */
export function outageKind(status: OutageInput | null | undefined): OutageKind | null {
  if (!status?.configured) return null;
  const { instance, syncedTable: table, operation } = status;
  const running = operation?.outcome === "running" ? operation.kind : null;
  if (running === "delete" || instance?.state === "DELETING") return "deleting";
  if (running === "create" && !isSyncedTableOnline(table)) return "creating";
  if (!instance) return "missing";
  if (instance.state === "STOPPED") return "stopped";
  if (instance.stopped) return "stopping";
  if (instance.state === "STARTING") return "starting";
  if (!table) return "table-missing";
  if (isSyncFailed(table)) return "sync-failed";
  if (!isSyncedTableOnline(table)) return "syncing";
  if (table.detailedState === "SYNCED_TABLE_ONLINE_PIPELINE_FAILED") return "sync-behind";
  if (instance.state === "FAILING_OVER") return "failing-over";
  return null;
}

export function blocksReading(kind: OutageKind | null): boolean {
  return kind !== null && BLOCKING.has(kind);
}

export interface OutageDescription {
  kind: OutageKind;
  blocksReading: boolean;
  /** A short label for the freshness badge, e.g. "Database stopped". */
  badge: string;
  tone: Tone;
  /** What is true now, as a clause: "the database is stopped". */
  what: string;
  /** What it means for the reader, as a clause ("orders cannot be read right now"), when not obvious. */
  consequence: string | null;
  /** Both as one sentence. */
  title: string;
  /** Who did it (when the viewer may know), since when, and what happens next. */
  detail: string;
  /** The state behind it, for the tooltip. */
  code: string;
}

/**
 * Who started the operation behind this state: the admin's e-mail when the status names it (admins see it;
 * others are shown "an admin", as the API withholds the address from them).
 */
function whoDid(status: OutageInput, kind: string): { who: string; at: string | null } {
  const op = status.operation;
  if (op?.kind !== kind) return { who: "An admin", at: null };
  // An outcome read back from the resources (its database was stopped before it could be recorded) has no
  // finish time: the time it was asked is the one known.
  return {
    who: op.actor ?? "An admin",
    at: op.outcome === "running" ? op.startedAt : (op.finishedAt ?? op.startedAt),
  };
}

const COMES_BACK =
  "This page checks every few seconds and shows the orders again as soon as they can be read.";

export function describeOutage(status: OutageInput, format: Format): OutageDescription | null {
  const described = describe(status, format);
  if (!described) return null;
  const { what, consequence } = described;
  const sentence = consequence ? `${what}: ${consequence}.` : `${what}.`;
  return { ...described, title: sentence.charAt(0).toUpperCase() + sentence.slice(1) };
}

function describe(status: OutageInput, format: Format): Omit<OutageDescription, "title"> | null {
  const kind = outageKind(status);
  if (!kind) return null;
  const when = (at: string | null) => (at ? ` on ${format.dateTime(at)}` : "");
  const table = status.syncedTable;
  const code = status.instance?.state ?? table?.detailedState ?? table?.state ?? "NOT_FOUND";
  const base = { kind, blocksReading: blocksReading(kind), code };
  switch (kind) {
    case "stopped": {
      const { who, at } = whoDid(status, "stop");
      return {
        ...base,
        badge: "Database stopped",
        tone: "idle",
        what: "the database is stopped",
        consequence: "orders cannot be read right now",
        detail: `${who} stopped it${when(at)}. ${COMES_BACK}`,
      };
    }
    case "stopping": {
      const { who } = whoDid(status, "stop");
      return {
        ...base,
        code: "STOPPING",
        badge: "Database stopping",
        tone: "busy",
        what: "the database is stopping",
        consequence: "orders cannot be read until it is started again",
        detail: `${who} is stopping it. ${COMES_BACK}`,
      };
    }
    case "starting": {
      const { who, at } = whoDid(status, "start");
      return {
        ...base,
        badge: "Database starting",
        tone: "busy",
        what: "the database is starting",
        consequence: "orders can be read again in a moment",
        detail: `${who} started it${when(at)}. ${COMES_BACK}`,
      };
    }
    case "creating": {
      const { who } = whoDid(status, "create");
      const progress = table?.progress
        ? ` The first sync is ${Math.floor(table.progress.fraction * 100)}% done.`
        : "";
      return {
        ...base,
        badge: "Being created",
        tone: "busy",
        what: "the database is being created",
        consequence: "orders appear once their first sync is done",
        detail: `${who} is creating the Lakebase resources.${progress} ${COMES_BACK}`,
      };
    }
    case "deleting": {
      const { who } = whoDid(status, "delete");
      return {
        ...base,
        code: "DELETING",
        badge: "Being deleted",
        tone: "bad",
        what: "the database is being deleted",
        consequence: "orders cannot be read",
        detail: `${who} is deleting the Lakebase resources. Orders come back only if an admin creates them again.`,
      };
    }
    case "missing":
      return {
        ...base,
        badge: "No database",
        tone: "bad",
        what: "there is no database",
        consequence: "orders cannot be read",
        detail:
          "The Lakebase instance does not exist (it was deleted, or not created yet). An admin can create it; this page shows the orders once it exists and is synced.",
      };
    case "table-missing":
      return {
        ...base,
        badge: "No orders table",
        tone: "bad",
        what: "the orders table does not exist in the database",
        consequence: null,
        detail: `An admin can create the synced table. ${COMES_BACK}`,
      };
    case "sync-failed":
      return {
        ...base,
        badge: "Sync failed",
        tone: "bad",
        what: "the orders could not be synced from Unity Catalog",
        consequence: "they cannot be read",
        detail: `An admin can see why on the admin page and create the synced table again. ${COMES_BACK}`,
      };
    case "syncing":
      return {
        ...base,
        badge: "Syncing",
        tone: "busy",
        what: "the orders are being synced from Unity Catalog",
        consequence: null,
        detail: "The table appears here on its own once the first sync is done.",
      };
    case "sync-behind":
      return {
        ...base,
        badge: "Last sync failed",
        tone: "bad",
        what: "the latest sync from Unity Catalog failed",
        consequence: "the orders may be out of date",
        detail: `They are as of the last successful sync${when(table?.lastSyncAt ?? null)}. An admin can see why.`,
      };
    case "failing-over":
      return {
        ...base,
        badge: "Failing over",
        tone: "busy",
        what: "the database is switching to its standby",
        consequence: "orders may be unavailable for a moment",
        detail: COMES_BACK,
      };
  }
}
