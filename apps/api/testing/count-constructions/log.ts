import { createLogger as real } from "@lakebase-orders/log";
import { count } from "./count.ts";

export * from "@lakebase-orders/log";

export function createLogger(...args: Parameters<typeof real>): ReturnType<typeof real> {
  count("logger");
  return real(...args);
}
