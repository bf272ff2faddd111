import { Hono } from "hono";
import { databaseRoutes } from "./database-routes.ts";
import { localRoutes } from "./local-routes.ts";
import { permissionRoutes } from "./permission-routes.ts";
import { pipelineRoutes } from "./pipeline-routes.ts";
import { postgresRoutes } from "./postgres-routes.ts";
import { type RestDeps, routeFor } from "./route.ts";
import { workspaceRoutes } from "./workspace-routes.ts";

export type { RestDeps } from "./route.ts";

/** The Databricks REST surface the app uses, with Databricks' error bodies, plus the local test hooks. */
export function createRestApp(deps: RestDeps): Hono {
  const app = new Hono();
  const route = routeFor(app, deps);
  workspaceRoutes(route, deps);
  databaseRoutes(route, deps.service);
  permissionRoutes(route, deps.service);
  postgresRoutes(route, deps.service);
  pipelineRoutes(route, deps);
  localRoutes(route, deps);
  app.notFound((c) =>
    c.json(
      { error_code: "ENDPOINT_NOT_FOUND", message: `No API found for '${c.req.method} ${c.req.path}'` },
      404,
    ),
  );
  return app;
}
