// The server's entry point: the only place that hands the environment to the configuration loader.
import { run } from "./run.ts";

await run(process.env);
