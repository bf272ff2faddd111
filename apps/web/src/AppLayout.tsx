import { Link, Outlet } from "@tanstack/react-router";
import { lazy, Suspense, useCallback, useState } from "react";
import { useViewer } from "./features/lakebase/use-lakebase-status.ts";
import { useShortcut } from "./ui/use-shortcut.ts";

const ShortcutsDialog = lazy(() =>
  import("./ui/ShortcutsDialog.tsx").then((m) => ({ default: m.ShortcutsDialog })),
);

export function AppLayout() {
  const viewer = useViewer();
  const [shortcuts, setShortcuts] = useState(false);
  useShortcut(
    "?",
    useCallback(() => setShortcuts(true), []),
  );
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <h1 className="app-title">Lakebase Orders</h1>
        <nav aria-label="Main">
          <Link to="/" activeOptions={{ exact: true, includeSearch: false }}>
            Orders
          </Link>
          {viewer.isAdmin ? <Link to="/admin">Admin</Link> : null}
        </nav>
        {/* Right-aligned and truncated: a long address never widens or wraps the header. */}
        {viewer.email ? (
          <span className="muted viewer" title={viewer.email}>
            {viewer.email}
          </span>
        ) : null}
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
      {shortcuts ? (
        <Suspense fallback={null}>
          <ShortcutsDialog onClose={() => setShortcuts(false)} />
        </Suspense>
      ) : null}
    </>
  );
}
