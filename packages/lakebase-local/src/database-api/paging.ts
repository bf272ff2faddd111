import { invalidParameter } from "../api-error.ts";

const PAGE_SIZE_DEFAULT = 50;
const PAGE_SIZE_MAX = 100;

/**
 * One page of sorted names as the list endpoints page them: `page_size` 0 or absent means the default, larger
 * sizes are capped, and the opaque `page_token` carries the last name of the previous page.
 */
export function page(
  sortedNames: readonly string[],
  pageSize: string | undefined,
  pageToken: string | undefined,
): { items: string[]; next: string | undefined } {
  const size = pageSize === undefined ? PAGE_SIZE_DEFAULT : Number(pageSize);
  if (!Number.isInteger(size) || size < 0) throw invalidParameter(`Invalid page_size '${pageSize}'.`);
  const limit = size === 0 ? PAGE_SIZE_DEFAULT : Math.min(size, PAGE_SIZE_MAX);
  let after = "";
  if (pageToken) {
    try {
      const parsed = JSON.parse(Buffer.from(pageToken, "base64url").toString("utf8")) as { after?: unknown };
      if (typeof parsed.after !== "string") throw new Error("bad token");
      after = parsed.after;
    } catch {
      throw invalidParameter(`Invalid page_token '${pageToken}'.`);
    }
  }
  const remaining = sortedNames.filter((n) => n > after);
  const items = remaining.slice(0, limit);
  const last = items.at(-1);
  const next =
    remaining.length > limit && last
      ? Buffer.from(JSON.stringify({ after: last })).toString("base64url")
      : undefined;
  return { items, next };
}
