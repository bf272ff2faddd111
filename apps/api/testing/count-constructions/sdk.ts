import { createSdkTelemetry as real } from "../../src/telemetry/sdk.ts";
import { count } from "./count.ts";

export * from "../../src/telemetry/sdk.ts";

export function createSdkTelemetry(...args: Parameters<typeof real>): ReturnType<typeof real> {
  count("telemetry");
  return real(...args);
}
