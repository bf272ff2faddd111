import fs from "node:fs/promises";
import path from "node:path";
import type { Context as HonoContext } from "hono";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".webmanifest": "application/manifest+json",
};

// Vite names everything under /assets with a content hash: safe to cache forever. index.html must be
// revalidated on every load, else a deploy leaves browsers on the old bundle.
const IMMUTABLE = "public, max-age=31536000, immutable";
const REVALIDATE = "no-cache";

/** Serves a built SPA from `root`: files as they are, and index.html for any other GET (client routing). */
export function serveSpa(root: string) {
  const base = path.resolve(root);
  return async (c: HonoContext): Promise<Response> => {
    let urlPath: string;
    try {
      urlPath = decodeURIComponent(new URL(c.req.url).pathname);
    } catch {
      return c.text("Bad request", 400);
    }
    const file = path.resolve(base, `.${urlPath}`);
    if (file.startsWith(base + path.sep) && (await isFile(file))) {
      const cache = urlPath.startsWith("/assets/") ? IMMUTABLE : REVALIDATE;
      return send(c, file, cache);
    }
    // A missing hashed asset is a real 404: answering index.html would hand HTML to a script tag.
    if (urlPath.startsWith("/assets/")) return c.text("Not found", 404);
    return send(c, path.join(base, "index.html"), REVALIDATE);
  };
}

async function send(c: HonoContext, file: string, cacheControl: string): Promise<Response> {
  const body = await fs.readFile(file).catch(() => undefined);
  if (!body) return c.text("Not found", 404);
  const type = TYPES[path.extname(file).toLowerCase()] ?? "application/octet-stream";
  return c.body(new Uint8Array(body), 200, { "Content-Type": type, "Cache-Control": cacheControl });
}

async function isFile(file: string): Promise<boolean> {
  return fs.stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
}
