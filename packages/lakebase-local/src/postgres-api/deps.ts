import type { BranchClusters } from "../compute/branch-clusters.ts";
import type { EndpointComputes } from "../compute/endpoint-computes.ts";
import type { FrontDoors } from "../compute/front-doors.ts";
import type { Identities } from "../identity/identities.ts";
import type { ServiceContext } from "../state/context.ts";
import type { Operations } from "./operations.ts";
import type { ProjectAccess } from "./project-access.ts";

/** What every `postgres` API resource shares. */
export interface PostgresDeps {
  ctx: ServiceContext;
  access: ProjectAccess;
  operations: Operations;
  clusters: BranchClusters;
  computes: EndpointComputes;
  doors: FrontDoors;
  identities: Identities;
}
