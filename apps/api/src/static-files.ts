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
    if (!file.startsWith(base + path.sep) && file !== base) return c.text("Not found", 404);
    if (await isFile(file)) {
      const cache = urlPath.startsWith("/assets/") ? IMMUTABLE : REVALIDATE;
      return send(c, file, cache);
    }
    // A missing file is a real 404 (a hashed asset, /favicon.ico, /robots.txt, /sitemap.xml): answering
    // index.html would hand HTML to a script tag or a crawler. Only extension-less paths are client routes.
    if (urlPath.startsWith("/assets/") || path.extname(urlPath) !== "") return c.text("Not found", 404);
    // A route the build prerendered (/admin -> admin.html) paints its own shell; any other gets index.html.
    const routeHtml = `${file.replace(/\/+$/, "")}.html`;
    if (urlPath !== "/" && routeHtml.startsWith(base + path.sep) && (await isFile(routeHtml))) {
      return send(c, routeHtml, REVALIDATE);
    }
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
