import type { z } from "zod";
import { createInput, deleteInput } from "../lakebase/admin/schemas.ts";
import {
  attachInput,
  branchCreateInput,
  branchDeleteInput,
  endpointCreateInput,
  endpointDeleteInput,
  endpointUpdateInput,
} from "../lakebase/autoscaling/schemas.ts";

/** An input its schema refused: its size and what is wrong with it, never its text. */
export interface RejectedInput {
  invalid: true;
  /** Size of the input as JSON; null when it is nested too deep to measure. */
  bytes: number | null;
  issues: { path: string; code: string }[];
}

const SCHEMAS: Record<string, z.ZodType> = {
  "lakebase.create": createInput,
  "lakebase.delete": deleteInput,
  "lakebase.branches.create": branchCreateInput,
  "lakebase.branches.delete": branchDeleteInput,
  "lakebase.endpoints.create": endpointCreateInput,
  "lakebase.endpoints.update": endpointUpdateInput,
  "lakebase.endpoints.delete": endpointDeleteInput,
  "lakebase.data.attach": attachInput,
};
const MAX_ISSUES = 5;
const MAX_PATH = 64;

/**
 * What the audit keeps of an admin call's input, small whoever sent it: the input as the procedure's own
 * schema parsed it (bounded by that schema; it strips unknown keys, so it never looks like a
 * RejectedInput), else a RejectedInput (never the raw text: a non-admin's junk must not grow the audit
 * table). Procedures without input keep null, or a RejectedInput for whatever was sent anyway.
 */
export function auditInput(path: string, raw: unknown, schemaOfSurface?: z.ZodType): unknown {
  const bytes = sizeOf(raw);
  // A surface with its own spelling of the input (REST's snake_case query) passes its schema.
  const schema = schemaOfSurface ?? SCHEMAS[path];
  if (!schema) {
    return raw === undefined || raw === null
      ? null
      : ({ invalid: true, bytes, issues: [{ path: "", code: "unexpected_input" }] } satisfies RejectedInput);
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  return {
    invalid: true,
    bytes,
    issues: parsed.error.issues.slice(0, MAX_ISSUES).map((i) => ({
      path: i.path.map(String).join(".").slice(0, MAX_PATH),
      code: i.code,
    })),
  } satisfies RejectedInput;
}

/** JSON size; a body nested thousands deep parses, but serialising it again overflows the stack. */
function sizeOf(raw: unknown): number | null {
  if (raw === undefined) return 0;
  try {
    return JSON.stringify(raw)?.length ?? 0;
  } catch {
    return null;
  }
}
