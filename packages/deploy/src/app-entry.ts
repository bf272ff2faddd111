// Entry of dist/app/server.mjs. Inside the deployed folder the SPA and the migrations sit beside the
// bundle, not where the workspace sources keep them, so point the server at them before it loads.
import path from "node:path";

const here = import.meta.dirname;
process.env.STATIC_DIR ??= path.join(here, "public");
process.env.MIGRATIONS_DIR ??= path.join(here, "migrations");
process.env.NODE_ENV ??= "production";

await import("../../../apps/api/src/main.ts");
