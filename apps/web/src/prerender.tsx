// Build time only (the prerender Vite plugin): the app's first paint, rendered to HTML for each route, so
// the browser shows the shell and its skeletons before any JavaScript or API call has answered.
import { createMemoryHistory } from "@tanstack/react-router";
import { renderToString } from "react-dom/server";
import { App } from "./App.tsx";
import { createAppRouter, PRERENDERED } from "./router.tsx";
import { createQueryClient } from "./trpc.ts";

/** URL -> the HTML file the API serves for it (index.html is the fallback of every other client route). */
export const PRERENDER_ROUTES = PRERENDERED;

async function prerender(url: string): Promise<string> {
  const queryClient = createQueryClient();
  const router = createAppRouter(
    { queryClient, prefetch: false },
    createMemoryHistory({ initialEntries: [url] }),
  );
  await router.load();
  // The server loader does not fetch lazy route components (the admin console): load them, or the
  // route would prerender as an empty Suspense boundary.
  await Promise.all(
    router.state.matches.map((match) => router.loadRouteChunk(router.routesById[match.routeId])),
  );
  return renderToString(<App router={router} queryClient={queryClient} />);
}

// Rendered while the module loads: the build's module runner (and with it the lazy imports) closes once
// the import returns.
export const pages: Record<string, string> = {};
for (const url of Object.keys(PRERENDER_ROUTES)) pages[url] = await prerender(url);
