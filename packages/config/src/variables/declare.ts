import type { z } from "zod";

// What a variable is, and the one helper every group file declares its variables with.

export type VariableGroup =
  | "server"
  | "identity"
  | "databricks"
  | "lakebase"
  | "connection"
  | "database"
  | "telemetry";

export interface Variable<S extends z.ZodType = z.ZodType> {
  readonly group: VariableGroup;
  readonly schema: S;
  /** The default as a reader should see it; "" when unset means "off" or "not used". */
  readonly default: string;
  readonly doc: string;
  /** Never echoed back in a validation error. */
  readonly secret?: boolean;
}

export function variable<S extends z.ZodType>(
  group: VariableGroup,
  schema: S,
  defaultText: string,
  doc: string,
  options: { secret?: boolean } = {},
): Variable<z.ZodOptional<S>> {
  return { group, schema: schema.optional(), default: defaultText, doc, ...options };
}
