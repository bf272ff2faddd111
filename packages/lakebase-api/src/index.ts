export {
  branchName,
  catalogName,
  databaseName,
  type EndpointPath,
  endpointName,
  idOf,
  parseBranchName,
  parseEndpointName,
  projectName,
  RESOURCE_ID,
  resourceOfOperation,
  syncedTableName,
} from "./autoscaling/names.ts";
export { pollOperation, type WaitOptions } from "./autoscaling/operations.ts";
export { type Empty, PostgresApi, type PostgresApiOptions } from "./autoscaling/postgres-api.ts";
export type * from "./autoscaling/types.ts";
export { updateMaskOf } from "./autoscaling/update-mask.ts";
export { DeadlineError, withDeadline } from "./deadline.ts";
export {
  errorCodeOf,
  isAlreadyExists,
  isApiError,
  isInvalid,
  isNotFound,
  isOperationFailed,
  isRefused,
  isUnavailable,
  OperationFailedError,
} from "./errors.ts";
export {
  DatabaseApi,
  type DatabaseApiOptions,
  type DatabaseCatalog,
  type DatabaseInstance,
  type InstanceInput,
  type SyncedDatabaseTable,
} from "./provisioned/database-api.ts";
