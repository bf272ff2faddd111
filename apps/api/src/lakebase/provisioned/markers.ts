import type { DatabaseInstance } from "@lakebase-orders/lakebase-api";
import type { OperationView } from "../admin/types.ts";
import type { OperationKind, RecordedOperation } from "../operations/recorded.ts";

// The operation recorded on the instance itself, in its custom tags: written by the very PATCH that stops or
// starts it (and by the create that makes it, and before a delete removes it), so Databricks holds the truth
// while the app's database (and its journal) is stopped, starting or gone, and every process reads it back.
// Other custom tags on the instance (billing, ownership) are kept as they are.

export const OPERATION_TAG = "lakebase-orders-operation";
export const ACTOR_TAG = "lakebase-orders-actor";
export const KIND_TAG = "lakebase-orders-kind";
export const STARTED_TAG = "lakebase-orders-started";
export const PREVIOUS_TAG = "lakebase-orders-previous";
export const FAILED_TAG = "lakebase-orders-failed";
const OURS: ReadonlySet<string> = new Set([
  OPERATION_TAG,
  ACTOR_TAG,
  KIND_TAG,
  STARTED_TAG,
  PREVIOUS_TAG,
  FAILED_TAG,
]);
const KINDS: ReadonlySet<string> = new Set(["create", "delete", "stop", "start"]);

export type CustomTag = { key: string; value: string };

/**
 * A tag value as cloud tags allow it (letters, digits, spaces and `_ . : / = + - @`, at most 255): an e-mail,
 * a UUID and an ISO time pass unchanged; an error message loses its other punctuation.
 */
function tagValue(text: string): string {
  return text.replaceAll(/[^\p{L}\p{N} _.:/=+\-@]/gu, " ").slice(0, 255);
}

/** The instance's tags with `op` as its recorded operation (ours replaced, everyone else's kept). */
export function withOperation(
  existing: readonly CustomTag[] | undefined,
  op: OperationView,
  extra: { previous?: RecordedOperation["previous"]; failed?: string } = {},
): CustomTag[] {
  return [
    ...(existing ?? []).filter((t) => !OURS.has(t.key)),
    { key: OPERATION_TAG, value: op.id },
    { key: KIND_TAG, value: op.kind },
    { key: ACTOR_TAG, value: tagValue(op.actor) },
    { key: STARTED_TAG, value: op.startedAt },
    ...(extra.previous
      ? [{ key: PREVIOUS_TAG, value: `${extra.previous.id}:${extra.previous.outcome}` }]
      : []),
    ...(extra.failed ? [{ key: FAILED_TAG, value: tagValue(extra.failed) }] : []),
  ];
}

/** The tags a create puts on the instance it makes (there are no others yet). */
export function operationTags(op: OperationView): CustomTag[] {
  return withOperation([], op);
}

/** The instance's own tags as a PATCH must send them back (the input, not the effective ones). */
export function tagsOf(instance: DatabaseInstance): CustomTag[] {
  return (instance.custom_tags ?? instance.effective_custom_tags ?? []).map((t) => ({
    key: String(t.key),
    value: String(t.value ?? ""),
  }));
}

/** The operation the instance carries, if any (a create of an older version tagged only its id and actor). */
export function recordedOn(instance: DatabaseInstance): RecordedOperation | null {
  const tags = new Map(
    (instance.effective_custom_tags ?? instance.custom_tags ?? []).map((t) => [t.key, t.value ?? ""]),
  );
  const id = tags.get(OPERATION_TAG);
  if (!id) return null;
  const kind = tags.get(KIND_TAG) ?? "create";
  if (!KINDS.has(kind)) return null;
  const previous = /^([0-9a-f-]{36}):(succeeded|failed)$/.exec(tags.get(PREVIOUS_TAG) ?? "");
  return {
    id,
    kind: kind as OperationKind,
    actor: tags.get(ACTOR_TAG) ?? "unknown",
    startedAt: tags.get(STARTED_TAG) ?? instance.creation_time ?? new Date(0).toISOString(),
    failed: tags.get(FAILED_TAG) || null,
    previous: previous ? { id: previous[1] as string, outcome: previous[2] as "succeeded" | "failed" } : null,
  };
}
