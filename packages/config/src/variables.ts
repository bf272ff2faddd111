import { CONNECTION_VARIABLES } from "./variables/connection.ts";
import { DATABASE_VARIABLES } from "./variables/database.ts";
import { DATABRICKS_VARIABLES } from "./variables/databricks.ts";
import { IDENTITY_VARIABLES } from "./variables/identity.ts";
import { LAKEBASE_VARIABLES } from "./variables/lakebase.ts";
import { SERVER_VARIABLES } from "./variables/server.ts";
import { TELEMETRY_VARIABLES } from "./variables/telemetry.ts";

// Every environment variable the app reads: its type, its default and what it does, in one table (a file per
// group, in the order the README lists them). The README's variable table is rendered from it (a test keeps
// the two in sync), and `loadConfig` is the only code that looks at the environment.

export * from "./variable.ts";

export const VARIABLES = {
  ...SERVER_VARIABLES,
  ...IDENTITY_VARIABLES,
  ...DATABRICKS_VARIABLES,
  ...LAKEBASE_VARIABLES,
  ...CONNECTION_VARIABLES,
  ...DATABASE_VARIABLES,
  ...TELEMETRY_VARIABLES,
} as const;

export type VariableName = keyof typeof VARIABLES;
