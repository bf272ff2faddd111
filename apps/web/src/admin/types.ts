// Shapes of the `lakebase` admin router, derived from the server's types (none are written by hand).
import type { RouterInputs, RouterOutputs } from "@lakebase-orders/api";

export type LakebaseStatus = RouterOutputs["lakebase"]["status"];
export type CreateInput = RouterInputs["lakebase"]["create"];
export type CreateResult = RouterOutputs["lakebase"]["create"];
export type DeleteResult = RouterOutputs["lakebase"]["delete"];
export type Capacity = NonNullable<CreateInput["capacity"]>;

export const CAPACITIES = ["CU_1", "CU_2", "CU_4", "CU_8"] as const satisfies readonly Capacity[];
