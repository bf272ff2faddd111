import { z } from "zod";
import { camelKey, type SnakeKey, snakeKey } from "./snake.ts";

/**
 * REST inputs are the tRPC inputs under snake_case names: each REST field is the procedure's own zod field
 * (same bounds, enums, defaults, messages), so the two surfaces cannot drift. Query and path values arrive
 * as strings: numbers and booleans are coerced before that field checks them, and the OpenAPI document
 * still shows the field's real type.
 */
type Shape = Record<string, z.ZodType>;
type Renames<S extends Shape> = { readonly [K in keyof S]?: string };
type RestName<K extends string, R> = K extends keyof R
  ? R[K] extends string
    ? R[K]
    : SnakeKey<K>
  : SnakeKey<K>;
export type RestShape<S extends Shape, R> = { [K in keyof S & string as RestName<K, R>]: S[K] };
type Output<S extends Shape> = { [K in keyof S]: z.output<S[K]> };

export interface RestFields<S extends Shape, R> {
  /** The REST-side schema (snake_case names; strings coerced for query and path). */
  schema: z.ZodObject<RestShape<S, R>>;
  /** camelCase name → REST name, to speak the REST names in error messages. */
  names: ReadonlyMap<string, string>;
  /** The validated values under the procedure's names. */
  toInput(values: z.output<z.ZodObject<RestShape<S, R>>>): Output<S>;
}

export interface RestFieldsOptions<S extends Shape, R extends Renames<S>> {
  /** `query` and `path` values are strings on the wire; `body` is JSON. */
  in: "query" | "path" | "body";
  /** REST names that are not the plain snake_case of the procedure's name (e.g. `status` → `o_orderstatus`). */
  renames?: R;
  /** Descriptions for the OpenAPI document, by procedure name. */
  describe?: { readonly [K in keyof S]?: string };
}

/**
 * @example
 * const pages = restFields(listInput.shape, { in: "query" });
 * pages.toInput(pages.schema.parse({ page_size: "50" })); // { page: 1, pageSize: 50, includeCount: true, ... }
 */
export function restFields<S extends Shape, R extends Renames<S> = Record<never, string>>(
  shape: S,
  options: RestFieldsOptions<S, R>,
): RestFields<S, R> {
  const names = new Map<string, string>();
  const fields: Record<string, z.ZodType> = {};
  for (const [name, field] of Object.entries(shape)) {
    const restName = (options.renames as Record<string, string> | undefined)?.[name] ?? snakeKey(name);
    if (!options.renames?.[name] && camelKey(restName) !== name) {
      throw new Error(`restFields: "${name}" does not survive snake_case and back; give it a rename`);
    }
    names.set(name, restName);
    const described = options.describe?.[name];
    const coerced = options.in === "body" ? field : fromString(field);
    fields[restName] = described ? coerced.meta({ description: described }) : coerced;
  }
  const back = [...names].map(([name, restName]) => [restName, name] as const);
  return {
    schema: z.object(fields) as unknown as z.ZodObject<RestShape<S, R>>,
    names,
    toInput: (values) => {
      const record = values as Record<string, unknown>;
      const input: Record<string, unknown> = {};
      for (const [restName, name] of back) if (record[restName] !== undefined) input[name] = record[restName];
      return input as Output<S>;
    },
  };
}

/** The field, reading its value from a query or path string first (wrappers keep their defaults). */
function fromString(field: z.ZodType): z.ZodType {
  if (field instanceof z.ZodOptional) return fromString(field.unwrap() as z.ZodType).optional();
  // A query string cannot say null: absent is how a query says "none".
  if (field instanceof z.ZodNullable) return fromString(field.unwrap() as z.ZodType);
  if (field instanceof z.ZodDefault)
    return fromString(field.unwrap() as z.ZodType).default(field.def.defaultValue);
  if (field instanceof z.ZodNumber) return field.clone({ ...field.def, coerce: true });
  if (field instanceof z.ZodBoolean || (field instanceof z.ZodLiteral && typeof field.value === "boolean")) {
    return z.preprocess(parseBoolean, field);
  }
  return field;
}

// The spellings FastAPI (pydantic) accepts, so the guide's clients keep working.
const TRUE = new Set(["true", "1", "yes", "on"]);
const FALSE = new Set(["false", "0", "no", "off"]);

function parseBoolean(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const v = value.trim().toLowerCase();
  return TRUE.has(v) ? true : FALSE.has(v) ? false : value;
}
