/** An error the REST layer turns into Databricks' `{error_code, message}` body with the matching status. */
export class LakebaseApiError extends Error {
  readonly status: number;
  readonly errorCode: string;
  /** `details` of the error body (google.rpc messages), as the `postgres` API sends for some refusals. */
  readonly details: readonly Record<string, unknown>[] | undefined;
  constructor(status: number, errorCode: string, message: string, details?: Record<string, unknown>[]) {
    super(message);
    this.name = "LakebaseApiError";
    this.status = status;
    this.errorCode = errorCode;
    this.details = details;
  }
}

export const notFound = (message: string) => new LakebaseApiError(404, "RESOURCE_DOES_NOT_EXIST", message);
export const alreadyExists = (message: string) =>
  new LakebaseApiError(409, "RESOURCE_ALREADY_EXISTS", message);
export const invalidParameter = (message: string) =>
  new LakebaseApiError(400, "INVALID_PARAMETER_VALUE", message);
// The service answers precondition failures on a resource's state (instance not AVAILABLE) with 400 INVALID_STATE.
export const invalidState = (message: string) => new LakebaseApiError(400, "INVALID_STATE", message);
export const unauthenticated = (message: string) => new LakebaseApiError(401, "UNAUTHENTICATED", message);
export const permissionDenied = (message: string) => new LakebaseApiError(403, "PERMISSION_DENIED", message);
export const notImplemented = (message: string) => new LakebaseApiError(501, "NOT_IMPLEMENTED", message);
