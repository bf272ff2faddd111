import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/** CSP source expressions (`'sha256-…'`) of the inline blocks a built SPA's pages carry. */
export interface InlineHashes {
  scripts: string[];
  styles: string[];
}

const INLINE_SCRIPT = /<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi;
const INLINE_STYLE = /<style[^>]*>([\s\S]*?)<\/style>/gi;

/**
 * The hashes of every inline `<script>` and `<style>` in the HTML files at the top of `staticDir` (the
 * prerendered first paint inlines its stylesheet and a boot script), read once at start-up: the
 * Content-Security-Policy allows exactly these blocks and no other inline code. No directory: none.
 *
 * @example
 * inlineHashes("dist"); // { scripts: ["'sha256-…'"], styles: ["'sha256-…'"] }
 */
export function inlineHashes(staticDir: string | null): InlineHashes {
  const scripts = new Set<string>();
  const styles = new Set<string>();
  if (!staticDir || !fs.existsSync(staticDir)) return { scripts: [], styles: [] };
  for (const name of fs.readdirSync(staticDir)) {
    if (!name.endsWith(".html")) continue;
    const html = fs.readFileSync(path.join(staticDir, name), "utf8");
    for (const [, body] of html.matchAll(INLINE_SCRIPT)) scripts.add(hash(body ?? ""));
    for (const [, body] of html.matchAll(INLINE_STYLE)) styles.add(hash(body ?? ""));
  }
  return { scripts: [...scripts], styles: [...styles] };
}

const hash = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
