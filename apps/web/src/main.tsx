import { startTransition } from "react";
import { createRoot, hydrateRoot } from "react-dom/client";
import { App } from "./App.tsx";
import { createAppRouter, PRERENDERED } from "./router.tsx";
import { queryClient } from "./trpc.ts";
import "./styles.css";

const container = document.getElementById("root");
if (!container) throw new Error("index.html has no #root element");

// The route's loaders start the page's requests at once (the first render then finds them in flight) and
// load the lazy chunk of the route (admin).
const router = createAppRouter({ queryClient, prefetch: true });
// The build prerendered this exact URL: React adopts that HTML (hydration, in slices) instead of building
// the page again. Search params change what the page shows, so such a URL is rendered afresh.
const prerendered =
  location.search === "" &&
  location.hash === "" &&
  Object.hasOwn(PRERENDERED, location.pathname) &&
  container.hasChildNodes();

void router.load().then(() => {
  const app = <App router={router} queryClient={queryClient} />;
  if (prerendered) {
    // What the router's own SSR bootstrap sets: render the matches as the server did (no extra Suspense).
    router.ssr = { manifest: undefined };
    hydrateRoot(container, app, {
      // A mismatch is recovered (React renders the page afresh): worth a warning, not an error.
      onRecoverableError: (error) => console.warn("hydration recovered:", error),
    });
  } else {
    // A transition keeps this render in small slices that never block input for long.
    const root = createRoot(container);
    startTransition(() => root.render(app));
  }
});
