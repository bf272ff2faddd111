import { loadConfig as real } from "@lakebase-orders/config";
import { count } from "./count.ts";

export * from "@lakebase-orders/config";

export function loadConfig(...args: Parameters<typeof real>): ReturnType<typeof real> {
  count("config");
  return real(...args);
}
