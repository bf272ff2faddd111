import { LakebaseApiError, permissionDenied } from "../api-error.ts";
import { startUpdateSchema } from "../sync/pipeline-updates.ts";
import { sourceChangeSchema } from "../sync/source/changes.ts";
import { API, body, parse, type RestDeps, type Route } from "./route.ts";

/** A source change names at most 100 000 keys: a few MB of JSON. */
const MAX_SOURCE_BODY_BYTES = 16 * 1024 * 1024;

/**
 * The Pipelines API calls that run synced tables' pipelines (start an update, poll it, list them, get the
 * pipeline, stop it), and the local hook that changes the source (not Databricks).
 */
export function pipelineRoutes(route: Route, deps: RestDeps): void {
  const { pipelines } = deps.service;
  const id = (c: { req: { param(key: string): string | undefined } }) => c.req.param("id") ?? "";

  route("POST", `${API}/pipelines/:id/updates`, async (c, identity) =>
    pipelines.startUpdate(identity, id(c), parse(startUpdateSchema, await body(c, true))),
  );
  route("GET", `${API}/pipelines/:id/updates`, (c) =>
    pipelines.listUpdates(id(c), c.req.query("max_results"), c.req.query("page_token")),
  );
  route("GET", `${API}/pipelines/:id/updates/:update_id`, (c) =>
    pipelines.getUpdate(id(c), c.req.param("update_id") ?? ""),
  );
  route("GET", `${API}/pipelines/:id`, (c) => pipelines.getPipeline(id(c)));
  route("POST", `${API}/pipelines/:id/stop`, (c, identity) => pipelines.stopPipeline(identity, id(c)));

  // The source stands for a Delta table in Unity Catalog: only workspace admins change it here.
  route("POST", "/__local/source", async (c, identity) => {
    if (!deps.identities.isAdmin(identity))
      throw permissionDenied("Only workspace admins can change the source.");
    if (Number(c.req.header("content-length") ?? 0) > MAX_SOURCE_BODY_BYTES) {
      throw new LakebaseApiError(
        413,
        "REQUEST_TOO_LARGE",
        `A source change is at most ${MAX_SOURCE_BODY_BYTES} bytes.`,
      );
    }
    return pipelines.source.apply(parse(sourceChangeSchema, await body(c)));
  });
  route("GET", "/__local/source", async () => {
    const head = await pipelines.source.head();
    return { version: head.version, committed_at: head.committed_at, base_rows: head.baseRows };
  });
}
