// `pnpm dev`'s entry: hands the environment to `run` (start/run.ts), with the repository's `.env` and
// `.env.local` filling in what the environment leaves unset. The deployed entry is
// packages/deploy/src/app-entry.ts, which reads no .env file.
import { fileURLToPath } from "node:url";
import { run } from "./start/run.ts";

await run(process.env, { envDir: fileURLToPath(new URL("../../../", import.meta.url)) });
