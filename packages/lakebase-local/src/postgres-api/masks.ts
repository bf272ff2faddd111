import { invalid } from "./errors.ts";

/**
 * Checks an `update_mask` as the service does: every path must be one it accepts for the resource (an
 * unknown one is reported first), and a masked field whose parent the body carries must itself be there.
 * An empty mask stands for the whole `spec`. Returns the paths.
 */
export function checkUpdateMask(
  mask: string | undefined,
  allowed: readonly string[],
  body: unknown,
): string[] {
  const paths = (mask ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  if (paths.length === 0) return ["spec"];
  for (const path of paths) {
    if (!allowed.includes(path)) throw invalid(`Unknown field path in update_mask: '${path}'`);
  }
  for (const path of paths) {
    const parts = path.split(".");
    if (parts.length < 2 || isGroup(path)) continue;
    if (has(body, parts.slice(0, -1)) && !has(body, parts)) {
      throw invalid(`Field '${path}' is in update_mask but not provided in request`);
    }
  }
  return paths;
}

/** Paths naming a oneof group (`spec.suspension`, `spec.expiration`) rather than a field of the body. */
function isGroup(path: string): boolean {
  return path.endsWith(".suspension") || path.endsWith(".expiration");
}

function has(node: unknown, parts: readonly string[]): boolean {
  let at = node;
  for (const part of parts) {
    if (typeof at !== "object" || at === null || !(part in at)) return false;
    at = (at as Record<string, unknown>)[part];
  }
  return true;
}
