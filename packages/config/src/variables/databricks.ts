import { z } from "zod";
import { type Variable, variable } from "./declare.ts";
import { httpUrl, int } from "./value-types.ts";

// The databricks variables (the SDK's standard variables).
export const DATABRICKS_VARIABLES = {
  DATABRICKS_HOST: variable(
    "databricks",
    httpUrl,
    "",
    "Workspace URL. Set (or a profile): the Lakebase admin is on.",
  ),
  DATABRICKS_TOKEN: variable("databricks", z.string().min(1), "", "A personal access token.", {
    secret: true,
  }),
  DATABRICKS_CLIENT_ID: variable(
    "databricks",
    z.string().min(1),
    "",
    "OAuth M2M client id (the app's service principal in Databricks Apps); also the Postgres user.",
  ),
  DATABRICKS_CLIENT_SECRET: variable("databricks", z.string().min(1), "", "OAuth M2M client secret.", {
    secret: true,
  }),
  DATABRICKS_CONFIG_PROFILE: variable("databricks", z.string().min(1), "", "A profile of ~/.databrickscfg."),
  DATABRICKS_TIMEOUT_SECONDS: variable(
    "databricks",
    int(1, 600),
    "30",
    "Deadline of every Databricks API call, the SDK's retries of 429 included (the SDK alone waits up to 300 s).",
  ),
} as const satisfies Record<string, Variable>;
