import { useSyncExternalStore } from "react";
import type { OrderColumn } from "../../../api-types.ts";
import { type Density, parseColumns } from "../search/search.ts";

// The table's layout this browser last chose (columns, density), remembered in localStorage: a visit
// without them in its URL gets them back (the URL then says so, and a link reproduces the view). The
// URL's own choice always wins; the prerender and hydration see nothing remembered.

export interface TablePrefs {
  cols?: OrderColumn[];
  density?: Density;
}

const KEY = "lakebase-orders:table";
const listeners = new Set<() => void>();
let snapshot: { raw: string | null; prefs: TablePrefs | null } = { raw: null, prefs: null };

function read(): string | null {
  try {
    return window.localStorage.getItem(KEY);
  } catch {
    // Storage refused (privacy mode, a sandboxed frame): nothing is remembered.
    return null;
  }
}

/** The stored preferences, parsed once per change (a stable object for React). */
export function readTablePrefs(): TablePrefs | null {
  const raw = read();
  if (raw === snapshot.raw) return snapshot.prefs;
  let prefs: TablePrefs | null = null;
  try {
    const parsed = raw ? (JSON.parse(raw) as { cols?: unknown; density?: unknown }) : null;
    if (parsed && typeof parsed === "object") {
      const cols = Array.isArray(parsed.cols) ? parseColumns(parsed.cols.join(",")) : undefined;
      const density = parsed.density === "compact" ? "compact" : undefined;
      prefs = cols || density ? { ...(cols && { cols }), ...(density && { density }) } : null;
    }
  } catch {
    prefs = null;
  }
  snapshot = { raw, prefs };
  return prefs;
}

/** Remembers the layout (merged over what was stored); undefined fields go back to the default. */
export function rememberTablePrefs(change: TablePrefs): void {
  const next = { ...readTablePrefs(), ...change };
  const stored: TablePrefs = {};
  if (next.cols) stored.cols = next.cols;
  if (next.density === "compact") stored.density = "compact";
  try {
    if (Object.keys(stored).length === 0) window.localStorage.removeItem(KEY);
    else window.localStorage.setItem(KEY, JSON.stringify(stored));
  } catch {
    return;
  }
  for (const listener of listeners) listener();
}

function subscribe(onChange: () => void): () => void {
  listeners.add(onChange);
  const onStorage = (event: StorageEvent) => {
    if (event.key === KEY) onChange();
  };
  window.addEventListener("storage", onStorage);
  return () => {
    listeners.delete(onChange);
    window.removeEventListener("storage", onStorage);
  };
}

/** The remembered layout; null in the prerender and while hydrating (nothing is known there). */
export function useTablePrefs(): TablePrefs | null {
  return useSyncExternalStore(subscribe, readTablePrefs, () => null);
}
