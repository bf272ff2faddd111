import { z } from "zod";
import { type Variable, variable } from "./declare.ts";
import { ADMIN_AUTHS, bool } from "./value-types.ts";

// The identity variables.
export const IDENTITY_VARIABLES = {
  DATABRICKS_APP_NAME: variable(
    "identity",
    z.string().min(1),
    "",
    "Set by Databricks Apps. When set, identities come only from the Apps proxy's headers.",
  ),
  NODE_ENV: variable(
    "identity",
    z.string().min(1).max(40),
    "development (pnpm dev); production in the built app and pnpm start",
    "production: outside Databricks Apps nobody acts as LOCAL_IDENTITY (every caller is anonymous unless a trusted proxy names them). Anything else is local development.",
  ),
  LOCAL_IDENTITY: variable(
    "identity",
    z.string().min(1).max(320),
    "local-admin@example.com outside Apps; refused inside",
    "Who a request from this machine acts as in local development (not NODE_ENV=production, not in Databricks Apps, no trusted forwarded headers): over loopback, with a loopback Host (or one in ALLOWED_HOSTS) and an Origin, if any, of that same host.",
  ),
  TRUST_FORWARDED_HEADERS: variable(
    "identity",
    bool,
    "false outside Apps, always on inside",
    "Outside Apps: take the caller from X-Forwarded-Email / X-Forwarded-User (and X-Forwarded-Host), as behind an authenticating proxy; a request without a valid one is anonymous. Only if nothing else can reach the port.",
  ),
  APP_ADMINS: variable(
    "identity",
    z.string(),
    "local-admin@example.com outside Apps, nobody inside",
    "Comma-separated e-mails allowed to create, stop, start and delete the Lakebase resources.",
  ),
  LAKEBASE_ADMIN_AUTH: variable(
    "identity",
    z.enum(ADMIN_AUTHS),
    "user inside Databricks Apps, service-principal outside",
    "Whose Databricks credentials the admin's create, delete, stop and start use: the signed-in user's (the token the Apps proxy forwards, so Databricks checks their permissions and audits them) or the app's own.",
  ),
  ORDER_STATUS_WRITERS: variable(
    "identity",
    z.string(),
    "everyone signed in",
    "Comma-separated e-mails allowed to change an order's status; anonymous callers never may.",
  ),
} as const satisfies Record<string, Variable>;
