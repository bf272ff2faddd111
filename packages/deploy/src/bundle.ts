import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function readBundle(file = path.join(repoRoot, "databricks.yml")): JsonObject {
  const parsed: unknown = parse(fs.readFileSync(file, "utf8"));
  if (!isObject(parsed)) throw new Error(`${file} is not a YAML mapping`);
  return parsed;
}

/** The default value of every bundle variable. */
export function variableDefaults(bundle: JsonObject): Record<string, string> {
  const out: Record<string, string> = {};
  const variables = bundle.variables;
  if (!isObject(variables)) return out;
  for (const [name, spec] of Object.entries(variables)) {
    if (isObject(spec) && spec.default !== undefined && spec.default !== null)
      out[name] = String(spec.default);
  }
  return out;
}

/** The default of every bundle variable with its YAML type (a number stays a number where a field needs one). */
function typedDefaults(bundle: JsonObject): JsonObject {
  const out: JsonObject = {};
  const variables = bundle.variables;
  if (!isObject(variables)) return out;
  for (const [name, spec] of Object.entries(variables)) {
    if (isObject(spec) && spec.default !== undefined && spec.default !== null) out[name] = spec.default;
  }
  return out;
}

/**
 * What the CLI deploys for one target: the target's overrides merged over the top level (maps merge,
 * sequences concatenate, scalars replace, as the CLI's merge does), then `${var.*}`, `${bundle.*}` and `${resources.*}` references resolved.
 * Throws when a reference does not resolve, which is the check the CLI would make at deploy time.
 */
export function resolveTarget(bundle: JsonObject, target: string): JsonObject {
  const targets = bundle.targets;
  if (!isObject(targets) || !isObject(targets[target]))
    throw new Error(`no target "${target}" in the bundle`);
  const { targets: _all, ...base } = bundle;
  const merged = merge(base, targets[target]) as JsonObject;
  const bundleInfo = isObject(merged.bundle) ? merged.bundle : {};
  const context = {
    var: typedDefaults(merged),
    bundle: { ...bundleInfo, target } as JsonObject,
  };
  // Resolve variables first, then resource cross-references (which may point at resolved variables).
  const withVars = substitute(merged, (ref) => {
    if (ref.startsWith("var.")) return lookup(context.var, ref.slice(4).split("."), ref);
    if (ref.startsWith("bundle.")) return lookup(context.bundle, ref.slice(7).split("."), ref);
    return undefined;
  }) as JsonObject;
  let current: JsonObject = withVars;
  for (let pass = 0; pass < 6; pass++) {
    current = substitute(current, (ref) => {
      if (!ref.startsWith("resources.")) return undefined;
      const parts = ref.split(".");
      const name = parts.length === 4 && parts[3] === "id" ? postgresName(current, parts) : undefined;
      if (name !== undefined) return name.includes("${") ? undefined : name;
      return lookup(current, parts, ref);
    }) as JsonObject;
  }
  const leftover = JSON.stringify(current).match(/\$\{[^}]+\}/);
  if (leftover) throw new Error(`unresolved reference ${leftover[0]} in target "${target}"`);
  return current;
}

/**
 * `${resources.postgres_<kind>.<key>.id}`: the CLI's id of a `postgres` API resource is its full name, built
 * from its parent and its own id (projects/p/branches/b/endpoints/e), not a field of the configuration.
 */
const POSTGRES_NAMES: Record<string, (r: JsonObject) => string> = {
  postgres_projects: (r) => `projects/${String(r.project_id)}`,
  postgres_branches: (r) => `${String(r.parent)}/branches/${String(r.branch_id)}`,
  postgres_endpoints: (r) => `${String(r.parent)}/endpoints/${String(r.endpoint_id)}`,
  postgres_databases: (r) => `${String(r.parent)}/databases/${String(r.database_id)}`,
  postgres_roles: (r) => `${String(r.parent)}/roles/${String(r.role_id)}`,
  postgres_catalogs: (r) => `catalogs/${String(r.catalog_id)}`,
  postgres_synced_tables: (r) => `synced_tables/${String(r.synced_table_id)}`,
};

function postgresName(root: JsonObject, parts: string[]): string | undefined {
  const naming = POSTGRES_NAMES[parts[1]!];
  if (!naming) return undefined;
  const resource = lookup(root, parts.slice(0, 3), parts.join("."));
  return isObject(resource) ? naming(resource) : undefined;
}

function lookup(root: Json, parts: string[], ref: string): Json {
  let node: Json = root;
  for (const part of parts) {
    if (!isObject(node) || !(part in node)) throw new Error(`reference \${${ref}} does not resolve`);
    node = node[part] as Json;
  }
  return node;
}

function substitute(node: Json, resolve: (ref: string) => Json | undefined): Json {
  if (typeof node === "string") {
    const whole = node.match(/^\$\{([^}]+)\}$/);
    if (whole) {
      const value = resolve(whole[1]!);
      return value === undefined ? node : value;
    }
    return node.replace(/\$\{([^}]+)\}/g, (text, ref: string) => {
      const value = resolve(ref);
      return value === undefined ? text : String(value);
    });
  }
  if (Array.isArray(node)) return node.map((item) => substitute(item, resolve));
  if (isObject(node)) {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, substitute(v, resolve)]));
  }
  return node;
}

function merge(base: Json, over: Json): Json {
  if (isObject(base) && isObject(over)) {
    const out: JsonObject = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = k in base ? merge(base[k]!, v) : v;
    return out;
  }
  // The CLI appends a target's sequence to the top level's: a target cannot take an item away.
  if (Array.isArray(base) && Array.isArray(over)) return [...base, ...over];
  return over;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
