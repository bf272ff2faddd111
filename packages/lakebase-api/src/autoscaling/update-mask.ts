import type { BranchSpec, EndpointSpec, ProjectSpec } from "./types.ts";

// The `update_mask` of a PATCH, from the spec it sends: the service changes only the fields the mask names
// (a masked field left out of the body is refused, or reset on some resources), so the mask is written from
// the body, never by hand. Mutually exclusive fields travel as one group path: `spec.suspension`
// (suspend_timeout_duration | no_suspension) and `spec.expiration` (ttl | expire_time | no_expiry).

const GROUPS: Record<string, string> = {
  suspend_timeout_duration: "spec.suspension",
  no_suspension: "spec.suspension",
  ttl: "spec.expiration",
  expire_time: "spec.expiration",
  no_expiry: "spec.expiration",
};

/** Objects whose fields are masked one by one (`spec.group.min`), not as a whole. */
const NESTED = new Set(["group", "settings"]);

/**
 * The mask naming every field `spec` sets, e.g. `{autoscaling_limit_max_cu: 4, no_suspension: true}` ->
 * `spec.autoscaling_limit_max_cu,spec.suspension`.
 */
export function updateMaskOf(spec: EndpointSpec | BranchSpec | ProjectSpec): string {
  const paths = new Set<string>();
  for (const [key, value] of Object.entries(spec)) {
    if (value === undefined) continue;
    const group = GROUPS[key];
    if (group) paths.add(group);
    else if (NESTED.has(key) && value && typeof value === "object") {
      for (const [inner, v] of Object.entries(value)) if (v !== undefined) paths.add(`spec.${key}.${inner}`);
    } else paths.add(`spec.${key}`);
  }
  return [...paths].join(",");
}
