import { randomUUID } from "node:crypto";
import { LakebaseApiError } from "../api-error.ts";

/**
 * The `postgres` API's error codes (not the `database` API's `RESOURCE_*`), with the messages Databricks'
 * backend sends as far as its CLI test server records them.
 */
export type ResourceKind =
  | "project"
  | "branch"
  | "endpoint"
  | "database"
  | "role"
  | "catalog"
  | "synced table"
  | "operation";

/** 404 `NOT_FOUND`: "`<kind>` id not found [TraceId: ...]". */
export function notFound(kind: ResourceKind): LakebaseApiError {
  return new LakebaseApiError(404, "NOT_FOUND", `${kind} id not found [TraceId: ${randomUUID()}]`);
}

export function alreadyExists(message: string): LakebaseApiError {
  return new LakebaseApiError(409, "ALREADY_EXISTS", message);
}

export function invalid(message: string): LakebaseApiError {
  return new LakebaseApiError(400, "INVALID_PARAMETER_VALUE", message);
}

export function badRequest(message: string): LakebaseApiError {
  return new LakebaseApiError(400, "BAD_REQUEST", message);
}

/** A refusal of a resource that only goes with its parent (the root branch, a branch's primary endpoint). */
export function managedByParent(message: string): LakebaseApiError {
  return new LakebaseApiError(400, "BAD_REQUEST", message, [
    {
      "@type": "type.googleapis.com/google.rpc.ErrorInfo",
      domain: "databricks.com",
      reason: "RESOURCE_CONFLICT",
      metadata: { declarative_context: "MANAGED_BY_PARENT" },
    },
    { "@type": "type.googleapis.com/google.rpc.RequestInfo", request_id: randomUUID(), serving_data: "" },
  ]);
}

export function requiredId(field: string): LakebaseApiError {
  return invalid(`Field '${field}' is required, expected non-default value (not "")!`);
}
