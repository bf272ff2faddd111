import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { lakebaseRouter } from "./routers/lakebase.ts";
import { ordersRouter } from "./routers/orders.ts";
import { viewsRouter } from "./routers/views.ts";
import { router } from "./trpc.ts";

// One line per feature router: the Lakebase admin router mounts here as `lakebase: lakebaseRouter`.
export const appRouter = router({
  orders: ordersRouter,
  lakebase: lakebaseRouter,
  views: viewsRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
