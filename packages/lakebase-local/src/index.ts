export { LakebaseApiError } from "./api-error.ts";
export { type FaultRequest, Faults, type RouteMatcher } from "./faults.ts";
export type { FrontDoorCounters } from "./front-door/index.ts";
export {
  type LakebaseCounters,
  type LakebaseLocal,
  type LakebaseLocalOptions,
  type SeedOptions,
  startLakebaseLocal,
} from "./lakebase-local.ts";
export { isReadyLine, type ReadyLine } from "./ready-line.ts";
export { SOURCE_COLUMNS, SOURCE_TABLE, type Timings } from "./service.ts";
