import { z } from "zod";
import { type Variable, variable } from "./declare.ts";
import { ENDPOINT_NAME, int, postgresUrl, RESOURCE_ID, SSL_MODES, TOKEN_SOURCES } from "./value-types.ts";

// The connection variables (how the app reaches Postgres).
export const CONNECTION_VARIABLES = {
  LAKEBASE_PG_URL: variable(
    "connection",
    postgresUrl,
    "",
    "Explicit primary URL; with a password it is static, without one the password is a Lakebase token.",
    { secret: true },
  ),
  LAKEBASE_PG_READ_URL: variable(
    "connection",
    postgresUrl,
    "",
    "A readable secondary for orders reads (else the instance's read_only_dns, if it has one).",
    { secret: true },
  ),
  PGHOST: variable("connection", z.string().min(1), "", "Set by a Databricks Apps database resource."),
  PGPORT: variable("connection", int(1, 65535), "5432", "Postgres port (the local Lakebase sets its own)."),
  PGDATABASE: variable("connection", z.string().min(1), "", "Set by a Databricks Apps database resource."),
  PGUSER: variable("connection", z.string().min(1), "the Databricks identity", "Postgres user."),
  PGPASSWORD: variable("connection", z.string().min(1), "", "A static password instead of tokens.", {
    secret: true,
  }),
  PGSSLMODE: variable(
    "connection",
    z.enum(SSL_MODES),
    "require with tokens, disable with a static password",
    "TLS mode (libpq names). require, verify-ca and verify-full verify the server certificate (like Databricks' driver); no-verify encrypts without checking (logged as a warning).",
  ),
  PGSSLROOTCERT: variable(
    "connection",
    z.string().min(1),
    "",
    "A PEM file of CA certificates trusted besides the system's (the local Lakebase hands out its CA).",
  ),
  LAKEBASE_ENDPOINT: variable(
    "connection",
    z.string().regex(ENDPOINT_NAME, "must be projects/<project>/branches/<branch>/endpoints/<endpoint>"),
    "",
    "Lakebase Autoscaling: the endpoint projects/<p>/branches/<b>/endpoints/<e> to connect to, as Databricks Apps injects it (app.yaml valueFrom: postgres). Selects Autoscaling: the host is the endpoint's, passwords are its credentials.",
  ),
  LAKEBASE_READ_ENDPOINT: variable(
    "connection",
    z
      .string()
      .refine(
        (v) => v === "none" || RESOURCE_ID.test(v) || ENDPOINT_NAME.test(v),
        "must be an endpoint id of the branch, a full endpoint name, or none",
      ),
    "the branch's read-only endpoint, if it has one",
    "Autoscaling: the read-only endpoint orders reads go to (an id on the branch, or a full name), each with its own credentials; none: every read on the primary. LAKEBASE_PG_READ_URL wins.",
  ),
  LAKEBASE_TOKEN_SOURCE: variable(
    "connection",
    z.enum(TOKEN_SOURCES),
    "provisioned (autoscaling with an Autoscaling target)",
    "Where Postgres passwords come from; workspace = the SDK's own OAuth token.",
  ),
  LAKEBASE_TOKEN_REFRESH_BEFORE_SECONDS: variable(
    "connection",
    int(0, 3600),
    "300",
    "Refresh a token this long before it expires (at most half its lifetime).",
  ),
} as const satisfies Record<string, Variable>;
