import { startTransition } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.tsx";
import { createAppRouter } from "./router.tsx";
import { queryClient } from "./trpc.ts";
import "./styles.css";

const container = document.getElementById("root");
if (!container) throw new Error("index.html has no #root element");

// The route's loaders start the page's requests at once; the first render then has its lazy chunks
// (admin) and replaces the prerendered shell in one commit. A transition keeps that render in small slices
// that never block input for long.
const router = createAppRouter({ queryClient, prefetch: true });
void router.load().then(() => {
  const root = createRoot(container);
  startTransition(() => root.render(<App router={router} queryClient={queryClient} />));
});
