/**
 * camelCase (the tRPC wire, our zod schemas) to snake_case (the guide's REST wire) and back, for keys and,
 * through `Snake<T>`, for whole DTO types: a REST output typed `Snake<X>` breaks the build when X changes.
 */
export type SnakeKey<S extends string> = S extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`}${SnakeKey<Tail>}`
  : S;

export type Snake<T> = T extends readonly (infer U)[]
  ? Snake<U>[]
  : T extends object
    ? { [K in keyof T as K extends string ? SnakeKey<K> : K]: Snake<T[K]> }
    : T;

export const snakeKey = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export const camelKey = (key: string): string => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Deep copy with snake_case keys (plain objects and arrays; other values as they are). */
export function toSnake<T>(value: T): Snake<T> {
  if (Array.isArray(value)) return value.map((v) => toSnake(v)) as Snake<T>;
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[snakeKey(k)] = toSnake(v);
    return out as Snake<T>;
  }
  return value as Snake<T>;
}
