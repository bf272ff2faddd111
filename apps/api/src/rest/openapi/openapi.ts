import type { OpenAPIHono } from "@hono/zod-openapi";
import type { RestEnv } from "../types.ts";

const DESCRIPTION = `The orders API of the FastAPI + Lakebase guide, served from the same procedures as the
app's tRPC API (\`/api/trpc\`): same services, same input rules, same admin checks and audit.

- Errors are \`{"detail": "..."}\` with the HTTP status: 400 bad input (the detail names the field),
  403 not an admin, 404 no such order, 409 conflict, 412 data not ready (synced table missing or syncing),
  503 database or Databricks unavailable.
- On Databricks Apps the platform authenticates every request (a browser session, or a bearer token for
  scripts); the app reads who is asking from the proxy's headers.`;

/** The OpenAPI 3.1 document of every route registered on `api` (built once: the routes do not change). */
export function openApiDocument(api: OpenAPIHono<RestEnv>) {
  let document: ReturnType<typeof api.getOpenAPI31Document> | undefined;
  return () => {
    document ??= api.getOpenAPI31Document({
      openapi: "3.1.0",
      info: { title: "Lakebase Orders API", version: "1.0.0", description: DESCRIPTION },
      tags: [
        { name: "orders", description: "TPC-H orders from the synced table, with the app's status changes" },
        { name: "lakebase", description: "Lifecycle of the Lakebase resources (admins only)" },
        { name: "health", description: "Liveness" },
      ],
    });
    return document;
  };
}
