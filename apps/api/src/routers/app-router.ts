import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { lakebaseRouter } from "./lakebase.ts";
import { ordersRouter } from "./orders.ts";
import { router } from "./procedures.ts";
import { viewsRouter } from "./views.ts";

// One line per feature router: the Lakebase admin router mounts here as `lakebase: lakebaseRouter`.
export const appRouter = router({
  orders: ordersRouter,
  lakebase: lakebaseRouter,
  views: viewsRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
