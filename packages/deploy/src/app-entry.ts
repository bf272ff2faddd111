// Entry of dist/app/server.mjs. Inside the deployed folder the SPA and the migrations sit beside the
// bundle, not where the workspace sources keep them: they are the defaults here, unless the environment
// names others. It reads no .env file on purpose: on Databricks Apps the configuration is app.yaml's (with
// secrets as `valueFrom` resources), and a .env that slipped into the uploaded folder would put secrets in
// the workspace and settings nobody reviews; `pnpm start` reads the repository's .env files and passes them
// in the environment instead.
import path from "node:path";
import { run } from "@lakebase-orders/api/run";

const here = import.meta.dirname;
process.env.NODE_ENV ??= "production";
await run({
  STATIC_DIR: path.join(here, "public"),
  MIGRATIONS_DIR: path.join(here, "migrations"),
  ...process.env,
});
