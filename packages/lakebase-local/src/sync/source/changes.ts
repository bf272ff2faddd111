import { z } from "zod";

/** At most this many rows change in one source commit (one call). */
export const MAX_ROWS_PER_COMMIT = 100_000;
/** A key range names at most this many keys. */
const MAX_RANGE_SPAN = 2_000_000;

const key = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const text = (max: number) => z.string().min(1).max(max);

/** Values of the source's columns other than the key, as a change sets them. */
export const columnValuesSchema = z.strictObject({
  o_custkey: key,
  o_orderstatus: text(1),
  o_totalprice: z
    .union([z.number(), z.string()])
    .transform((v) => (typeof v === "number" ? v.toFixed(2) : v))
    .refine((v) => /^-?\d{1,16}(\.\d{1,2})?$/.test(v), "o_totalprice must fit numeric(18,2)"),
  o_orderdate: z.iso.date(),
  o_orderpriority: text(15),
  o_clerk: text(15),
  o_shippriority: z.number().int().min(-2147483648).max(2147483647),
  o_comment: z.string().max(79),
});
export type ColumnValues = z.output<typeof columnValuesSchema>;

const keysOrRange = {
  keys: z.array(key).min(1).max(MAX_ROWS_PER_COMMIT).optional(),
  keyRange: z
    .strictObject({ from: key, to: key })
    .refine((r) => r.from <= r.to, "keyRange.from must be <= keyRange.to")
    .refine((r) => r.to - r.from < MAX_RANGE_SPAN, `keyRange spans at most ${MAX_RANGE_SPAN} keys`)
    .optional(),
};
const exactlyOne = (r: { keys?: unknown; keyRange?: unknown }) =>
  (r.keys === undefined) !== (r.keyRange === undefined);
const EXACTLY_ONE = "give exactly one of keys and keyRange";

/**
 * A change to the source, as `POST /__local/source`, `local.source.*` and the CLI take it:
 * - insert `{count, set?}` new orders after the last key (generated like the rest, `set` overriding
 *   columns), or `{rows}` complete rows with keys that do not exist;
 * - update `{keys | keyRange, set}` the rows that exist among them;
 * - delete `{keys | keyRange}` the rows that exist among them.
 */
export const sourceChangeSchema = z.discriminatedUnion("op", [
  z
    .strictObject({
      op: z.literal("insert"),
      count: z.number().int().min(1).max(MAX_ROWS_PER_COMMIT).optional(),
      set: columnValuesSchema.partial().optional(),
      rows: z
        .array(columnValuesSchema.extend({ o_orderkey: key }))
        .min(1)
        .max(MAX_ROWS_PER_COMMIT)
        .optional(),
    })
    .refine((r) => (r.count === undefined) !== (r.rows === undefined), "give exactly one of count and rows")
    .refine((r) => r.rows === undefined || r.set === undefined, "set goes with count, not rows"),
  z
    .strictObject({
      op: z.literal("update"),
      ...keysOrRange,
      set: columnValuesSchema
        .partial()
        .refine((s) => Object.keys(s).length > 0, "set must name at least one column"),
    })
    .refine(exactlyOne, EXACTLY_ONE),
  z.strictObject({ op: z.literal("delete"), ...keysOrRange }).refine(exactlyOne, EXACTLY_ONE),
]);
export type SourceChangeRequest = z.input<typeof sourceChangeSchema>;
export type SourceChange = z.output<typeof sourceChangeSchema>;

export interface CommitResult {
  /** The source version after the call (unchanged when no row changed). */
  version: number;
  /** When that version was committed (RFC 3339). */
  committed_at: string;
  /** Rows the call changed (0: no commit). */
  rows: number;
}
