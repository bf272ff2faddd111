// Prints the gzip size of every built asset and fails when the JavaScript a first visit downloads
// (the entry script, what it imports statically and what index.html preloads) exceeds the budget. Lazy
// chunks (the admin console, the order panel) are listed but not counted.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const BUDGET_BYTES = 150 * 1024;
const distDir = fileURLToPath(new URL("../dist", import.meta.url));

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

const html = readFileSync(join(distDir, "index.html"), "utf8");
// Entry scripts: <script src>, modulepreload links, and the deferred boot's import("...").
const entries = [
  ...html.matchAll(
    /<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="\/?([^"]+\.js)"|import\("\/?([^"]+\.js)"\)/g,
  ),
].map((m) => m[1] ?? m[2] ?? "");
if (entries.length === 0) throw new Error("no entry script found in dist/index.html");

/** A chunk and every chunk it imports statically: what a first visit downloads before the app runs. */
function withStaticImports(files: string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...files];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(join(distDir, file), "utf8");
    for (const m of code.matchAll(
      /(?:^|[;\s])(?:import|export)\s*(?:[\w*{}\s,$]+from\s*)?["']\.\/([^"']+\.js)["']/g,
    )) {
      queue.push(join(dirname(file), m[1] ?? ""));
    }
  }
  return seen;
}
const initial = withStaticImports(entries);

const rows = walk(distDir)
  .filter((file) => /\.(js|css|html)$/.test(file))
  .map((file) => {
    const content = readFileSync(file);
    const path = relative(distDir, file);
    return {
      path,
      raw: content.length,
      gzip: gzipSync(content, { level: 9 }).length,
      initial: initial.has(path),
    };
  })
  .sort((a, b) => Number(b.initial) - Number(a.initial) || b.gzip - a.gzip);

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
for (const row of rows) {
  console.log(
    `${row.initial ? "initial" : row.path.endsWith(".js") ? "lazy   " : "other  "}  ${kb(row.gzip).padStart(9)} gzip  ${kb(row.raw).padStart(9)} raw  ${row.path}`,
  );
}
const initialGzip = rows
  .filter((r) => r.initial && r.path.endsWith(".js"))
  .reduce((sum, r) => sum + r.gzip, 0);
const summary = `initial JavaScript: ${kb(initialGzip)} gzip (budget ${kb(BUDGET_BYTES)})`;
if (initialGzip > BUDGET_BYTES) {
  console.error(`FAIL ${summary}`);
  process.exit(1);
}
console.log(`OK ${summary}`);
