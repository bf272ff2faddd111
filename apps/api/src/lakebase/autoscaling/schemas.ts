import { RESOURCE_ID } from "@lakebase-orders/lakebase-api";
import { z } from "zod";

// The inputs of the Autoscaling procedures (`lakebase.branches.*`, `lakebase.endpoints.*`,
// `lakebase.data.attach`), checked at the edge. Ids are the `postgres` API's (lowercase letters, digits and
// hyphens, starting with a letter); a branch or endpoint left out is the one the app is bound to.

const ID_RULE = "lowercase letters, digits and hyphens, starting with a letter, at most 63";
export const resourceId = z.string().max(63).regex(RESOURCE_ID, ID_RULE);

/** Compute Units: 0.5 to 64 in halves, as the service takes them. */
const cu = z.number().min(0.5).max(64).multipleOf(0.5);
/** Scale to zero after this long idle (the service's bounds: 60 s to 7 days); null: never suspend. */
const suspendTimeout = z.number().int().min(60).max(604_800).nullable();
/** A branch lives at most this long by TTL (30 days); `expireTime` and `noExpiry` cover the rest. */
const MAX_TTL_SECONDS = 30 * 86_400;

/** Min and max CU: max at least min, at most 16 above it (the service's rule). */
function cuRange<T extends { minCu?: number | undefined; maxCu?: number | undefined }>(
  v: T,
  ctx: z.RefinementCtx,
) {
  if (v.minCu !== undefined && v.maxCu !== undefined) {
    if (v.maxCu < v.minCu)
      ctx.addIssue({ code: "custom", path: ["maxCu"], message: "maxCu must be >= minCu" });
    else if (v.maxCu - v.minCu > 16)
      ctx.addIssue({ code: "custom", path: ["maxCu"], message: "maxCu may be at most 16 above minCu" });
  }
}

/** The compute of a new project's endpoints (`lakebase.create` on Autoscaling). */
export const computeInput = z
  .object({ minCu: cu.optional(), maxCu: cu.optional(), suspendTimeoutSeconds: suspendTimeout.optional() })
  .strict()
  .superRefine(cuRange);

export const branchCreateInput = z
  .object({
    branchId: resourceId,
    /** The parent; default: the project's default branch. */
    sourceBranchId: resourceId.optional(),
    /** Branch from the parent as it was then (within the project's history window); default: its head now. */
    pointInTime: z.iso.datetime({ offset: true }).optional(),
    /** Exactly one of ttlSeconds, expireTime, noExpiry. */
    ttlSeconds: z.number().int().min(60).max(MAX_TTL_SECONDS).optional(),
    expireTime: z.iso.datetime({ offset: true }).optional(),
    noExpiry: z.literal(true).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    const expiries = [v.ttlSeconds, v.expireTime, v.noExpiry].filter((x) => x !== undefined).length;
    if (expiries !== 1) {
      ctx.addIssue({
        code: "custom",
        path: ["ttlSeconds"],
        message:
          "give exactly one of ttlSeconds, expireTime or noExpiry (a branch without one would live forever by accident)",
      });
    }
    if (v.pointInTime && Date.parse(v.pointInTime) > Date.now() + 1000) {
      ctx.addIssue({
        code: "custom",
        path: ["pointInTime"],
        message: "pointInTime must not be in the future",
      });
    }
    if (v.expireTime && Date.parse(v.expireTime) <= Date.now()) {
      ctx.addIssue({ code: "custom", path: ["expireTime"], message: "expireTime must be in the future" });
    }
  });

export const branchDeleteInput = z
  .object({
    branchId: resourceId,
    /** Type-to-confirm: the branch id again. */
    confirmName: z.string().max(256),
  })
  .strict();

export const endpointsListInput = z.object({ branchId: resourceId.optional() }).strict().optional();

export const endpointCreateInput = z
  .object({
    branchId: resourceId.optional(),
    endpointId: resourceId,
    minCu: cu.optional(),
    maxCu: cu.optional(),
    suspendTimeoutSeconds: suspendTimeout.optional(),
  })
  .strict()
  .superRefine(cuRange);

export const endpointUpdateInput = z
  .object({
    branchId: resourceId.optional(),
    /** Default: the app's read-write endpoint. */
    endpointId: resourceId.optional(),
    minCu: cu.optional(),
    maxCu: cu.optional(),
    suspendTimeoutSeconds: suspendTimeout.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    cuRange(v, ctx);
    if (v.minCu === undefined && v.maxCu === undefined && v.suspendTimeoutSeconds === undefined) {
      ctx.addIssue({
        code: "custom",
        path: [],
        message: "nothing to change: give minCu, maxCu or suspendTimeoutSeconds",
      });
    }
  });

export const endpointDeleteInput = z
  .object({
    branchId: resourceId.optional(),
    endpointId: resourceId,
    /** Type-to-confirm: the endpoint id again. */
    confirmName: z.string().max(256),
  })
  .strict();

export const attachInput = z
  .object({
    /** Default: the app's branch (its catalog and synced table, as `lakebase.create` makes them). */
    branchId: resourceId.optional(),
    /** Default: the app's catalog on its branch, `<catalog>_<branch>` on another one. */
    catalogName: z
      .string()
      .max(255)
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a Unity Catalog identifier (letters, digits, _)")
      .optional(),
  })
  .strict()
  .optional();

export type ComputeInput = z.infer<typeof computeInput>;
export type BranchCreateInput = z.infer<typeof branchCreateInput>;
export type BranchDeleteInput = z.infer<typeof branchDeleteInput>;
export type EndpointCreateInput = z.infer<typeof endpointCreateInput>;
export type EndpointUpdateInput = z.infer<typeof endpointUpdateInput>;
export type EndpointDeleteInput = z.infer<typeof endpointDeleteInput>;
export type AttachInput = NonNullable<z.infer<typeof attachInput>>;
