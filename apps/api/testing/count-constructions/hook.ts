// Loaded with `node --import` before the API (it reaches cluster workers too, through execArgv): counts how
// many times this process loads the configuration, builds a logger and builds the telemetry SDK, and writes
// them on stderr as one JSON line when the process exits: {"constructions":{"pid":..,"config":..,...}}.
// Each counted function is swapped for a wrapper module that counts and calls the real one.
import { writeSync } from "node:fs";
import { registerHooks } from "node:module";

const counts = { config: 0, logger: 0, telemetry: 0 };
(globalThis as { lakebaseOrdersConstructions?: typeof counts }).lakebaseOrdersConstructions = counts;

const here = new URL("./", import.meta.url).href;
const wrapper = (file: string) => new URL(file, here).href;

registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    // The wrappers import the real modules.
    if (context.parentURL?.startsWith(here)) return resolved;
    if (specifier === "@lakebase-orders/config") return { url: wrapper("config.ts"), shortCircuit: true };
    if (specifier === "@lakebase-orders/log") return { url: wrapper("log.ts"), shortCircuit: true };
    if (resolved.url.endsWith("/apps/api/src/telemetry/sdk.ts"))
      return { url: wrapper("sdk.ts"), shortCircuit: true };
    return resolved;
  },
});

process.on("exit", () => {
  writeSync(2, `${JSON.stringify({ constructions: { pid: process.pid, ...counts } })}\n`);
});
