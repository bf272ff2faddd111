export { DeadlineError, withDeadline } from "./deadline.ts";
export { isAlreadyExists, isApiError, isNotFound, isRefused, isUnavailable } from "./errors.ts";
export {
  DatabaseApi,
  type DatabaseApiOptions,
  type DatabaseCatalog,
  type DatabaseInstance,
  type InstanceInput,
  type SyncedDatabaseTable,
} from "./provisioned/database-api.ts";
