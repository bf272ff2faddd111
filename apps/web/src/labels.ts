// The words people read in place of the codes the data and the Databricks API use. Every code the SPA shows
// goes through one of these lookups; the code itself stays available as a tooltip (`title`). Plain data and
// functions with no browser or React import, so the table can move to @lakebase-orders/shared as it is once
// the API needs it too (the CSV export's labels).

/** How a state reads at a glance: the badge colours of the stylesheet (`.badge-<tone>`). */
export type Tone = "ok" | "busy" | "bad" | "idle";

export interface Label {
  label: string;
  tone: Tone;
}

export const ORDER_STATUS_LABELS: Readonly<Record<string, string>> = {
  F: "Fulfilled",
  O: "Open",
  P: "Partial",
};

export const ORDER_PRIORITY_LABELS: Readonly<Record<string, string>> = {
  "1-URGENT": "Urgent",
  "2-HIGH": "High",
  "3-MEDIUM": "Medium",
  "4-NOT SPECIFIED": "Not specified",
  "5-LOW": "Low",
};

/** Provisioned capacities: a capacity unit (CU) is the instance's size. */
export const CAPACITY_LABELS: Readonly<Record<string, string>> = {
  CU_1: "1 CU",
  CU_2: "2 CU",
  CU_4: "4 CU",
  CU_8: "8 CU",
};

/**
 * Lakebase states: the instance's (`STOPPING` is ours: stopped asked, not reached yet), the synced table's Unity
 * Catalog provisioning state and its sync's detailed state, and an admin operation's outcome.
 */
export const RESOURCE_STATE_LABELS: Readonly<Record<string, Label>> = {
  // Database instance
  AVAILABLE: { label: "Running", tone: "ok" },
  STARTING: { label: "Starting", tone: "busy" },
  STOPPING: { label: "Stopping", tone: "busy" },
  STOPPED: { label: "Stopped", tone: "idle" },
  DELETING: { label: "Being deleted", tone: "busy" },
  UPDATING: { label: "Updating", tone: "busy" },
  FAILING_OVER: { label: "Failing over", tone: "busy" },
  // Unity Catalog provisioning (synced table, catalog)
  ACTIVE: { label: "Active", tone: "ok" },
  PROVISIONING: { label: "Being set up", tone: "busy" },
  DEGRADED: { label: "Degraded", tone: "bad" },
  FAILED: { label: "Failed", tone: "bad" },
  // The sync of the synced table
  SYNCED_TABLE_PROVISIONING: { label: "Being set up", tone: "busy" },
  SYNCED_TABLE_PROVISIONING_PIPELINE_RESOURCES: { label: "Setting up the sync", tone: "busy" },
  SYNCED_TABLE_PROVISIONING_INITIAL_SNAPSHOT: { label: "First sync running", tone: "busy" },
  SYNCED_TABLE_ONLINE: { label: "Up to date", tone: "ok" },
  SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE: { label: "Up to date", tone: "ok" },
  SYNCED_TABLE_ONLINE_CONTINUOUS_UPDATE: { label: "Syncing continuously", tone: "ok" },
  SYNCED_TABLE_ONLINE_TRIGGERED_UPDATE: { label: "Syncing new data", tone: "busy" },
  SYNCED_TABLE_ONLINE_UPDATING_PIPELINE_RESOURCES: { label: "Updating the sync", tone: "busy" },
  SYNCED_TABLE_ONLINE_PIPELINE_FAILED: { label: "Last sync failed", tone: "bad" },
  SYNCED_TABLE_OFFLINE_FAILED: { label: "Sync failed", tone: "bad" },
  SYNCED_TABLE_OFFLINE: { label: "Offline", tone: "bad" },
  // The service's own spelling of the state above.
  SYNCED_TABLED_OFFLINE: { label: "Offline", tone: "bad" },
  // Nothing there
  NOT_FOUND: { label: "Does not exist", tone: "idle" },
  // An admin operation
  RUNNING: { label: "Running", tone: "busy" },
  SUCCEEDED: { label: "Succeeded", tone: "ok" },
};

export const ORDER_SORT_LABELS: Readonly<Record<string, string>> = {
  orderKey: "Order key ↑",
  "-orderKey": "Order key ↓",
  orderDate: "Date ↑ (oldest first)",
  "-orderDate": "Date ↓ (newest first)",
  totalPrice: "Total ↑",
  "-totalPrice": "Total ↓",
};

export const RESOURCE_LABELS: Readonly<Record<string, string>> = {
  instance: "Instance",
  catalog: "Catalog",
  syncedTable: "Synced table",
  project: "Project",
  branch: "Branch",
  endpoint: "Endpoint",
};

export const OPERATION_LABELS: Readonly<Record<string, string>> = {
  create: "Create",
  delete: "Delete",
  stop: "Stop",
  start: "Start",
  // Lakebase Autoscaling
  "branch.create": "Branch creation",
  "branch.delete": "Branch deletion",
  "endpoint.create": "Endpoint creation",
  "endpoint.update": "Compute change",
  "endpoint.delete": "Endpoint deletion",
  "data.attach": "Data attachment",
};

/**
 * A code nobody wrote a label for yet, in words rather than as a constant: "SOME_NEW_STATE" reads "Some new
 * state" (the tooltip still shows the code).
 */
export function humanize(code: string): string {
  const words = code.replaceAll(/[_-]+/g, " ").trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function statusLabel(status: string): string {
  return ORDER_STATUS_LABELS[status] ?? humanize(status);
}

export function sortLabel(sort: string): string {
  return ORDER_SORT_LABELS[sort] ?? humanize(sort);
}

export function priorityLabel(priority: string): string {
  return ORDER_PRIORITY_LABELS[priority] ?? humanize(priority.replace(/^\d+-/, ""));
}

export function capacityLabel(capacity: string): string {
  return CAPACITY_LABELS[capacity] ?? capacity.replace(/^CU_(\d+)$/, "$1 CU");
}

/** "PG_VERSION_16" reads "PostgreSQL 16". */
export function pgVersionLabel(version: string): string {
  const match = /^PG_VERSION_(\d+)$/.exec(version);
  return match ? `PostgreSQL ${match[1]}` : humanize(version);
}

export function stateLabel(state: string): Label {
  return RESOURCE_STATE_LABELS[state] ?? { label: humanize(state), tone: "busy" };
}

export function resourceLabel(resource: string): string {
  return RESOURCE_LABELS[resource] ?? humanize(resource);
}

export function operationLabel(kind: string): string {
  return OPERATION_LABELS[kind] ?? humanize(kind);
}
