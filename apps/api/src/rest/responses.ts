import type { z } from "zod";
import { problem } from "./problem.ts";

/** A JSON response of the OpenAPI document. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

/** The failures a route documents, all `{"detail": ...}`. */
export const failure = {
  400: json(problem, "Bad input; the detail names the field"),
  403: json(problem, "Not a Lakebase admin (APP_ADMINS); the attempt is audited"),
  404: json(problem, "No such order"),
  409: json(problem, "Conflict: another operation runs, or the status changed (expected_status)"),
  412: json(
    problem,
    "Not ready: the synced table does not exist or is still syncing, or Databricks is not configured",
  ),
  503: json(problem, "The database or Databricks is unavailable; retry shortly"),
} as const;
