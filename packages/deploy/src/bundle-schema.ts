import fs from "node:fs";
import path from "node:path";
import type { ErrorObject } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import { repoRoot } from "./bundle.ts";

/** The official bundle schema lives in ../shared (read-only reference beside every clone and CI run). */
export const bundleSchemaPath = path.resolve(repoRoot, "../shared/databricks/bundle-schema.json");

export function bundleValidator(): (doc: unknown) => ErrorObject[] {
  const schema: unknown = JSON.parse(fs.readFileSync(bundleSchemaPath, "utf8"));
  // strict:false: the CLI's schema carries vendor keywords (markdownDescription, deprecationMessage, ...).
  const ajv = new Ajv2020({ strict: false, allErrors: true, unicodeRegExp: true });
  const validate = ajv.compile(schema as object);
  return (doc) => (validate(doc) ? [] : [...(validate.errors ?? [])]);
}
