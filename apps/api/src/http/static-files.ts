import fs from "node:fs/promises";
import path from "node:path";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Context as HonoContext } from "hono";
import { getMimeType } from "hono/utils/mime";

// Vite names everything under /assets with a content hash: safe to cache forever. HTML (and the few
// unhashed files beside it) must be revalidated on every load, else a deploy leaves browsers on the old
// bundle; the ETag makes that revalidation a 304 without a body.
const IMMUTABLE = "public, max-age=31536000, immutable";
const REVALIDATE = "no-cache";

/** Types worth compressing; the build writes .br and .gz beside them (images and fonts are compressed already). */
const COMPRESSIBLE = /^(?:text\/|application\/(?:json|manifest\+json|xml)|image\/svg\+xml)/;

/**
 * Serves a built SPA from `root` the way a CDN would: files streamed by @hono/node-server's serveStatic,
 * the build's brotli or gzip variant when the client accepts it, an ETag answered with 304, hashed assets
 * immutable and HTML revalidated. A path without an extension is a client route: its prerendered HTML
 * (`/admin` -> `admin.html`) if the build wrote one, else `index.html`. A missing file with an extension
 * (`/favicon.ico`, `/robots.txt`, a stale hashed asset) is a 404, never the SPA's HTML.
 */
export function serveSpa(root: string) {
  const base = path.resolve(root);
  return async (c: HonoContext): Promise<Response> => {
    let urlPath: string;
    try {
      urlPath = decodeURIComponent(new URL(c.req.url).pathname);
    } catch {
      return c.text("Bad request", 400);
    }
    const file = await resolveFile(base, urlPath);
    if (!file) return c.text("Not found", 404);

    const stats = await fs.stat(file.path);
    // Weak: the same ETag names the identity, brotli and gzip bytes of one file (Vary tells them apart).
    const etag = `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
    const type = getMimeType(file.path) ?? "application/octet-stream";
    c.header("Cache-Control", file.hashed ? IMMUTABLE : REVALIDATE);
    c.header("ETag", etag);
    c.header("X-Content-Type-Options", "nosniff");
    if (COMPRESSIBLE.test(type)) c.header("Vary", "Accept-Encoding");
    if (matches(c.req.header("If-None-Match"), etag)) return c.body(null, 304);

    const send = serveStatic({ root: base, path: path.relative(base, file.path), precompressed: true });
    const response = await send(c, async () => undefined);
    if (!response) return c.text("Not found", 404);
    // serveStatic appends its own Vary when it picks a compressed variant: keep one.
    if (COMPRESSIBLE.test(type)) response.headers.set("Vary", "Accept-Encoding");
    return response;
  };
}

interface ResolvedFile {
  path: string;
  /** Under /assets: named by content hash. */
  hashed: boolean;
}

async function resolveFile(base: string, urlPath: string): Promise<ResolvedFile | null> {
  const file = path.resolve(base, `.${urlPath}`);
  if (file !== base && !file.startsWith(base + path.sep)) return null;
  const hashed = urlPath.startsWith("/assets/");
  if (await isFile(file)) return { path: file, hashed };
  // Only extension-less paths are client routes; anything else that is missing is a real 404.
  if (hashed || path.extname(urlPath) !== "") return null;
  const routeHtml = `${file.replace(/[\\/]+$/, "")}.html`;
  if (file !== base && routeHtml.startsWith(base + path.sep) && (await isFile(routeHtml))) {
    return { path: routeHtml, hashed: false };
  }
  const index = path.join(base, "index.html");
  return (await isFile(index)) ? { path: index, hashed: false } : null;
}

/** If-None-Match: `*` or a list of tags, compared weakly (RFC 9110 13.1.2). */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.split(",").some((tag) => opaque(tag) === opaque(etag));
}

async function isFile(file: string): Promise<boolean> {
  return fs.stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
}
