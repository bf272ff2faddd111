import { CAPACITIES } from "@lakebase-orders/shared";
import { z } from "zod";
import { computeInput } from "../autoscaling/schemas.ts";

export const createInput = z.object({
  // Anything but the literal `true` is refused: the admin must say they know this costs money.
  acknowledgeCost: z.literal(true, {
    error: "acknowledgeCost must be true: Lakebase resources cost money while they exist",
  }),
  capacity: z.enum(CAPACITIES).default("CU_1"),
  nodeCount: z.number().int().min(1).max(3).default(1),
  enableReadableSecondaries: z.boolean().optional(),
  retentionWindowInDays: z.number().int().min(2).max(35).optional(),
  /** Lakebase Autoscaling: min/max CU and suspend timeout of the project's endpoints (refused on Provisioned). */
  compute: computeInput.optional(),
});

export const deleteInput = z.object({ confirmName: z.string().max(256) });

export const progressInput = z
  .object({
    lastEventId: z.string().max(64).nullish(),
    /** Keep the stream open past a settled state (a console watching for changes made elsewhere). */
    follow: z.boolean().optional(),
  })
  .optional();
