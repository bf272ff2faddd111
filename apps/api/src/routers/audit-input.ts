import type { z } from "zod";
import { createInput, deleteInput } from "../lakebase/schemas.ts";

/**
 * What the audit keeps of an admin call's input, small whoever sent it: the input as its schema parsed it
 * (the schemas strip unknown keys, so it cannot look like the other shape), or what was wrong with it.
 */
export type AuditInput =
  | null
  | unknown
  | { invalid: true; bytes: number; issues: { path: string; code: string }[] };

const SCHEMAS: Record<string, z.ZodType> = {
  "lakebase.create": createInput,
  "lakebase.delete": deleteInput,
};
const MAX_ISSUES = 5;
const MAX_PATH = 64;

/**
 * The input as the procedure's own schema reads it (bounded by that schema), else only its size and what
 * is wrong with it (never the raw text: a non-admin's junk must not grow the audit table). Procedures
 * without input keep null, or the size of whatever was sent anyway.
 */
export function auditInput(path: string, raw: unknown): AuditInput {
  const bytes = raw === undefined ? 0 : (JSON.stringify(raw)?.length ?? 0);
  const schema = SCHEMAS[path];
  if (!schema) {
    return raw === undefined || raw === null
      ? null
      : { invalid: true, bytes, issues: [{ path: "", code: "unexpected_input" }] };
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
  };
}
