import type { Prisma } from "@lakebase-orders/db";

/**
 * A Prisma SQL fragment as one statement with its values written in as literals. COPY takes no bind
 * parameters, so the export's query (built by the same SQL pieces as the list's, from zod-validated values)
 * must carry them inline. Only strings and numbers are accepted; strings are quoted the way
 * standard_conforming_strings reads them, with the E'' form when they hold a backslash.
 */
export function inlineSql(fragment: Prisma.Sql): string {
  let text = fragment.strings[0] ?? "";
  fragment.values.forEach((value, i) => {
    text += literal(value) + (fragment.strings[i + 1] ?? "");
  });
  return text;
}

export function literal(value: unknown): string {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value !== "string") throw new TypeError(`cannot inline a ${typeof value} into SQL`);
  if (value.includes("\0")) throw new TypeError("cannot inline a string holding NUL into SQL");
  const quoted = `'${value.replaceAll("'", "''")}'`;
  return value.includes("\\") ? `E${quoted.replaceAll("\\", "\\\\")}` : quoted;
}
