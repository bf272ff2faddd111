import type { TelemetryConfig } from "@lakebase-orders/config";
import type { Logger } from "@lakebase-orders/log";
import type { Telemetry } from "./types.ts";

export type { ObservedServices, ProcedureResult, Telemetry } from "./types.ts";

/** Telemetry off: nothing recorded, nothing installed, nothing allocated per request. */
export const disabledTelemetry: Telemetry = {
  enabled: false,
  http: undefined,
  procedure: (_path, _type, next) => next(),
  instrumentPool: () => undefined,
  observe: () => undefined,
  logContext: undefined,
  shutdown: async () => undefined,
};

export interface StartTelemetryOptions {
  /** Where the SDK's own problems (an unreachable collector) are reported. */
  logger?: Logger;
}

/**
 * The process's telemetry from its configuration: off (and the SDK never even loaded) without an OTLP
 * endpoint, else the SDK with OTLP exporters, configured only from `config` (not from the environment).
 *
 * @example
 * const telemetry = await startTelemetry(config.telemetry, { logger });
 * const server = await startServer(config, { logger, telemetry });
 */
export async function startTelemetry(
  config: TelemetryConfig | null,
  options: StartTelemetryOptions = {},
): Promise<Telemetry> {
  if (config === null) return disabledTelemetry;
  const { createSdkTelemetry } = await import("./sdk.ts");
  return createSdkTelemetry(config, options);
}
