import pg from "pg";

/**
 * Parameterised SQL text (`$1`, `$2`, ... as the orders' SqlBuilder writes it) with its values written in as
 * literals. COPY takes no bind parameters, so the export's query (built by the same SQL pieces as the list's,
 * from zod-validated values) must carry them inline. Every value, numbers included, becomes a quoted literal
 * through node-postgres' `escapeLiteral` (the E'' form when it holds a backslash): a bare number would join
 * the text around it, and `x-$1` with -5 would read `x--5`, the start of a comment. The texts given here hold
 * no `$n` other than placeholders (no literals, no dollar quoting).
 */
export function inlineSql(text: string, values: readonly unknown[]): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => {
    const i = Number(n) - 1;
    if (i < 0 || i >= values.length) throw new RangeError(`no value for placeholder $${n}`);
    return literal(values[i]);
  });
}

/** A value as a quoted SQL literal (PostgreSQL gives it the type its place asks for, as it does a parameter). */
export function literal(value: unknown): string {
  if (typeof value === "number" && Number.isFinite(value)) return pg.escapeLiteral(String(value));
  if (typeof value === "bigint") return pg.escapeLiteral(value.toString());
  if (typeof value !== "string") throw new TypeError(`cannot inline a ${typeof value} into SQL`);
  if (value.includes("\0")) throw new TypeError("cannot inline a string holding NUL into SQL");
  return pg.escapeLiteral(value);
}
