import { createRootRoute, createRoute, createRouter, lazyRouteComponent } from "@tanstack/react-router";
import { AppLayout } from "./AppLayout.tsx";
import { OrdersPage } from "./features/orders/OrdersPage.tsx";
import { validateOrdersSearch } from "./features/orders/search.ts";

const rootRoute = createRootRoute({ component: AppLayout });

const ordersRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/",
  validateSearch: validateOrdersSearch,
  component: OrdersPage,
});

// The admin console is a separate chunk: analysts never download it.
const adminRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/admin",
  component: lazyRouteComponent(() => import("./features/admin/AdminPage.tsx"), "AdminPage"),
});

export const routeTree = rootRoute.addChildren([ordersRoute, adminRoute]);

export const router = createRouter({ routeTree, defaultPreload: "intent", scrollRestoration: true });

declare module "@tanstack/react-router" {
  interface Register {
    router: typeof router;
  }
}
