export { LakebaseApiError } from "./api-error.ts";
export type { ComputeCounters } from "./compute/endpoint-computes.ts";
export type { SeedOptions } from "./database-api/seed.ts";
export { type FaultRequest, Faults, type RouteMatcher } from "./faults.ts";
export type { FrontDoorCounters } from "./front-door/types.ts";
export {
  type LakebaseCounters,
  type LakebaseFlavor,
  type LakebaseLocal,
  type LakebaseLocalOptions,
  startLakebaseLocal,
} from "./lakebase-local.ts";
export { isReadyLine, type ReadyLine } from "./ready-line.ts";
export type { Timings } from "./state/context.ts";
export type { CommitResult, SourceChangeRequest } from "./sync/source/changes.ts";
export { SOURCE_COLUMNS, SOURCE_TABLE } from "./sync/source/columns.ts";
export type { SourceControl } from "./sync/source/control.ts";
