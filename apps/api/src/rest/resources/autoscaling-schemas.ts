import { z } from "zod";
import type { ActionResult, BranchView, EndpointView } from "../../lakebase/admin/types.ts";
import {
  attachInput,
  branchCreateInput,
  branchDeleteInput,
  endpointCreateInput,
  endpointDeleteInput,
  endpointUpdateInput,
  resourceId,
} from "../../lakebase/autoscaling/schemas.ts";
import { restFields } from "../fields/fields.ts";
import { type Snake, toSnake } from "../fields/snake.ts";
import { operationKind, resourceView } from "./resources-schemas.ts";

// The REST spelling of the Autoscaling procedures (`lakebase.branches.*`, `lakebase.endpoints.*`,
// `lakebase.data.attach`): their own zod fields under snake_case names, ids in the path, the rest in the
// query like the guide's admin routes (so every admin route is audited the same way). A query cannot say
// null: `no_suspension=true` stands for `suspendTimeoutSeconds: null` (never suspend).

export const branchPath = restFields({ branchId: resourceId }, { in: "path" });
export const endpointPath = restFields({ branchId: resourceId, endpointId: resourceId }, { in: "path" });

export const branchCreateQuery = restFields(branchCreateInput.shape, {
  in: "query",
  describe: {
    branchId: "The new branch's id",
    sourceBranchId: "Its parent (default: the project's default branch)",
    pointInTime: "Branch from the parent as it was then (RFC 3339; within the project's history window)",
    ttlSeconds: "Delete it this long after its creation (exactly one of ttl_seconds, expire_time, no_expiry)",
    expireTime: "Delete it at this time (RFC 3339)",
    noExpiry: "Keep it until deleted",
  },
});

export const branchDeleteQuery = restFields(
  { confirmName: branchDeleteInput.shape.confirmName },
  { in: "query", describe: { confirmName: "The branch id again: the branch is deleted with its data" } },
);

const { branchId: _createBranch, ...endpointCreateShape } = endpointCreateInput.shape;
export const endpointCreateQuery = restFields(endpointCreateShape, {
  in: "query",
  describe: {
    endpointId: "The new read-only endpoint's id",
    minCu: "Least Compute Units (0.5 to 64, in halves)",
    maxCu: "Most Compute Units (at most 16 above min_cu)",
    suspendTimeoutSeconds: "Scale to zero after this long idle (60 to 604800)",
  },
});

const noSuspension = z.literal(true).optional();
const {
  branchId: _updateBranch,
  endpointId: _updateEndpoint,
  ...endpointUpdateShape
} = endpointUpdateInput.shape;
export const endpointUpdateQuery = restFields(
  { ...endpointUpdateShape, noSuspension },
  {
    in: "query",
    describe: {
      minCu: "Least Compute Units (0.5 to 64, in halves)",
      maxCu: "Most Compute Units (at most 16 above min_cu)",
      suspendTimeoutSeconds: "Scale to zero after this long idle (60 to 604800)",
      noSuspension: "Never scale to zero (instead of suspend_timeout_seconds)",
    },
  },
);

export const endpointDeleteQuery = restFields(
  { confirmName: endpointDeleteInput.shape.confirmName },
  { in: "query", describe: { confirmName: "The endpoint id again" } },
);

export const attachQuery = restFields(
  { catalogName: attachInput.unwrap().shape.catalogName },
  {
    in: "query",
    describe: { catalogName: "The catalog (default: the app's on its branch, <catalog>_<branch> elsewhere)" },
  },
);

export const actionOutput = z
  .object({
    operation_id: z
      .string()
      .meta({ description: "The app's operation: follow it in GET /api/v1/resources/status" }),
    kind: operationKind,
    resource: z.string().meta({ description: "The full name of the resource acted on" }),
    outcome: z.enum(["started", "existing", "not_found"]).meta({
      description:
        "started: it goes on in the background; existing: a create found it; not_found: a delete found it gone",
    }),
    databricks_operation: z.string().nullable(),
  })
  .meta({ id: "LakebaseActionResult" });

export const branchesOutput = z.object({ branches: z.array(resourceView) }).meta({ id: "LakebaseBranches" });
export const endpointsOutput = z
  .object({ endpoints: z.array(resourceView) })
  .meta({ id: "LakebaseEndpoints" });

export const toActionOutput = (r: ActionResult): Snake<ActionResult> => toSnake(r);
export const toBranchesOutput = (r: { branches: BranchView[] }) => toSnake(r);
export const toEndpointsOutput = (r: { endpoints: EndpointView[] }) => toSnake(r);

export const autoscalingNames = [
  branchPath,
  endpointPath,
  branchCreateQuery,
  branchDeleteQuery,
  endpointCreateQuery,
  endpointUpdateQuery,
  endpointDeleteQuery,
  attachQuery,
].map((f) => f.names);
