import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { Hono } from "hono";
import type { RestEnv } from "../types.ts";

/** Files of swagger-ui-dist the page loads; nothing else of the package is served. */
const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
};

// No inline script (a strict Content-Security-Policy can forbid them) and no URL off this origin: the app
// may run where the internet cannot be reached.
const page = (base: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Lakebase Orders API</title>
<link rel="stylesheet" href="${base}/swagger-ui.css">
<link rel="icon" type="image/png" href="${base}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${base}/swagger-ui-bundle.js"></script>
<script src="${base}/init.js"></script>
</body>
</html>
`;

// validatorUrl null: Swagger UI would otherwise send the document to validator.swagger.io.
const init = (specUrl: string) => `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(specUrl)},
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
`;

export interface DocsOptions {
  /** Where the page is mounted, e.g. `/api/docs`. */
  base: string;
  /** The OpenAPI document's URL. */
  specUrl: string;
}

/**
 * Interactive docs (Swagger UI, as FastAPI serves at /docs) from the swagger-ui-dist package's own files,
 * read once on first use.
 */
export function docsRoutes(options: DocsOptions) {
  const files = new Map<string, Promise<Buffer>>();
  const read = (name: string) => {
    let file = files.get(name);
    if (!file) {
      const dir = path.dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
      file = readFile(path.join(dir, name));
      file.catch(() => files.delete(name));
      files.set(name, file);
    }
    return file;
  };
  const html = page(options.base);
  const script = init(options.specUrl);
  return new Hono<RestEnv>()
    .get("/", (c) => c.html(html))
    .get("/init.js", (c) => c.body(script, 200, { "Content-Type": "text/javascript; charset=utf-8" }))
    .get("/:file", async (c) => {
      const name = c.req.param("file");
      const type = ASSETS[name];
      if (!type) return c.json({ detail: "Not Found" }, 404);
      const body = await read(name);
      return c.body(new Uint8Array(body), 200, {
        "Content-Type": type,
        "Cache-Control": "public, max-age=86400",
      });
    });
}
