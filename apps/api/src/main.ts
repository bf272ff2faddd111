// The server's entry point: the only place that hands the environment to the configuration loader. The
// repository's `.env` and `.env.local` fill in what the environment leaves unset (`pnpm dev` also reads them).
import { fileURLToPath } from "node:url";
import { run } from "./start/run.ts";

await run(process.env, { envDir: fileURLToPath(new URL("../../../", import.meta.url)) });
