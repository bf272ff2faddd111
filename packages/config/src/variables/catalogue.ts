import { CONNECTION_VARIABLES } from "./connection.ts";
import { DATABASE_VARIABLES } from "./database.ts";
import { DATABRICKS_VARIABLES } from "./databricks.ts";
import { IDENTITY_VARIABLES } from "./identity.ts";
import { LAKEBASE_VARIABLES } from "./lakebase.ts";
import { SERVER_VARIABLES } from "./server.ts";
import { TELEMETRY_VARIABLES } from "./telemetry.ts";

// Every environment variable the app reads: its type, its default and what it does, in one table (a file per
// group, in the order the README lists them). The README's variable table is rendered from it (a test keeps
// the two in sync), and `loadConfig` is the only code that looks at the environment.

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
