/**
 * Parameterised SQL text (`$1`, `$2`, ... as the orders' SqlBuilder writes it) with its values written in as
 * literals. COPY takes no bind parameters, so the export's query (built by the same SQL pieces as the list's,
 * from zod-validated values) must carry them inline. Only strings and numbers are accepted; strings are quoted
 * the way standard_conforming_strings reads them, with the E'' form when they hold a backslash. The texts
 * given here hold no `$n` other than placeholders (no literals, no dollar quoting).
 */
export function inlineSql(text: string, values: readonly unknown[]): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => {
    const i = Number(n) - 1;
    if (i < 0 || i >= values.length) throw new RangeError(`no value for placeholder $${n}`);
    return literal(values[i]);
  });
}

export function literal(value: unknown): string {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value !== "string") throw new TypeError(`cannot inline a ${typeof value} into SQL`);
  if (value.includes("\0")) throw new TypeError("cannot inline a string holding NUL into SQL");
  const quoted = `'${value.replaceAll("'", "''")}'`;
  return value.includes("\\") ? `E${quoted.replaceAll("\\", "\\\\")}` : quoted;
}
