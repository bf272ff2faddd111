import { useMemo, useSyncExternalStore } from "react";
import { type Format, formatFor, NEUTRAL_LOCALE } from "./format.ts";

function subscribe(onChange: () => void): () => void {
  window.addEventListener("languagechange", onChange);
  return () => window.removeEventListener("languagechange", onChange);
}

/** The browser's preferred locale, if Intl knows it. */
function browserLocale(): string {
  const wanted = navigator.languages?.[0] ?? navigator.language;
  try {
    return (wanted && Intl.NumberFormat.supportedLocalesOf(wanted)[0]) || NEUTRAL_LOCALE;
  } catch {
    return NEUTRAL_LOCALE;
  }
}

/**
 * The browser's locale; the neutral one in the prerender and while React hydrates it (the HTML was built
 * once for everyone), then the browser's from the first client render on, so hydration always matches.
 */
export function useLocale(): string {
  return useSyncExternalStore(subscribe, browserLocale, () => NEUTRAL_LOCALE);
}

/** Formatters in the browser's locale (see `useLocale`). */
export function useFormat(): Format {
  const locale = useLocale();
  return useMemo(() => formatFor(locale), [locale]);
}
