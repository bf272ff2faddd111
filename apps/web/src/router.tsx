import type { QueryClient } from "@tanstack/react-query";
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  lazyRouteComponent,
  type RouterHistory,
} from "@tanstack/react-router";
import { AppLayout } from "./AppLayout.tsx";
import { prefetchLakebaseStatus } from "./features/lakebase/use-lakebase-status.ts";
import { OrdersPage } from "./features/orders/OrdersPage.tsx";
import { prefetchOrdersView } from "./features/orders/queries.ts";
import { validateOrdersSearch, viewOf } from "./features/orders/search/search.ts";
import { NotFoundPage } from "./NotFoundPage.tsx";

export interface RouterContext {
  queryClient: QueryClient;
  /**
   * Start the page's requests from the route, before React renders (false when the build prerenders the
   * shell: nothing is fetched there).
   */
  prefetch: boolean;
}

const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: AppLayout,
  // Rendered inside the layout (header and navigation stay), in place of the route's content.
  notFoundComponent: NotFoundPage,
  loader: ({ context }) => {
    if (context.prefetch) prefetchLakebaseStatus(context.queryClient);
  },
});

const ordersRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/",
  validateSearch: validateOrdersSearch,
  loaderDeps: ({ search }) => search,
  loader: ({ context, deps }) => {
    if (context.prefetch) prefetchOrdersView(context.queryClient, viewOf(deps));
  },
  component: OrdersPage,
});

// The admin console is a separate chunk: analysts never download it.
const adminRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/admin",
  component: lazyRouteComponent(() => import("./features/admin/AdminPage.tsx"), "AdminPage"),
});

export const routeTree = rootRoute.addChildren([ordersRoute, adminRoute]);

/** URL -> the HTML file the build prerenders for it (index.html is also the fallback of every other route). */
export const PRERENDERED: Readonly<Record<string, string>> = { "/": "index.html", "/admin": "admin.html" };

export function createAppRouter(context: RouterContext, history?: RouterHistory) {
  return createRouter({
    routeTree,
    context,
    defaultPreload: "intent",
    // The prerender leaves it out: its inline script is not rendered again in the browser, so hydration
    // would not match. It also renders as the browser will (not isServer: the same Suspense boundaries).
    scrollRestoration: !history,
    ...(history ? { history } : {}),
  });
}

export type AppRouter = ReturnType<typeof createAppRouter>;

declare module "@tanstack/react-router" {
  interface Register {
    router: AppRouter;
  }
}
