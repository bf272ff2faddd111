// `pnpm lint` runs this: no module imports another workspace package's files by a relative path. A package
// is used through its name and its `exports` (`@lakebase-orders/api/testing`, ...), so what it offers is
// written down in its package.json and a move inside it cannot break a neighbour unseen.
// Usage: node scripts/package-boundaries.ts [--list]   (--list prints every crossing and exits 0)
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const SKIP = new Set([
  "node_modules",
  "dist",
  "generated",
  ".data",
  "test-artifacts",
  ".git",
  ".tools",
  ".turbo",
]);
const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
// Static and dynamic imports, re-exports and require() with a literal specifier.
const SPECIFIER =
  /(?:\bimport\s*(?:[\w*{}\s,$]+\s*from\s*)?|\bexport\s*[\w*{}\s,$]*\s*from\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)["']([^"'\n]+)["']/g;

export interface Crossing {
  file: string;
  specifier: string;
  from: string;
  to: string;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (SOURCE.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(full);
  }
  return out;
}

const packageOf = (() => {
  const known = new Map<string, string>();
  return (file: string): string => {
    let dir = path.dirname(file);
    const seen: string[] = [];
    while (dir.startsWith(root)) {
      const hit = known.get(dir);
      if (hit !== undefined) return remember(seen, hit);
      seen.push(dir);
      if (fs.existsSync(path.join(dir, "package.json"))) return remember(seen, dir);
      if (dir === root) break;
      dir = path.dirname(dir);
    }
    return remember(seen, root);
  };
  function remember(dirs: string[], pkg: string): string {
    for (const d of dirs) known.set(d, pkg);
    return pkg;
  }
})();

/** Comments out: a specifier quoted in a comment is not an import. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

export function crossings(): Crossing[] {
  const found: Crossing[] = [];
  for (const file of sourceFiles(root)) {
    const from = packageOf(file);
    for (const match of withoutComments(fs.readFileSync(file, "utf8")).matchAll(SPECIFIER)) {
      const specifier = match[1]!;
      if (!specifier.startsWith(".")) continue;
      const to = packageOf(path.resolve(path.dirname(file), specifier));
      if (to !== from) {
        found.push({
          file: path.relative(root, file),
          specifier,
          from: path.relative(root, from) || ".",
          to: path.relative(root, to) || ".",
        });
      }
    }
  }
  return found;
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  const found = crossings();
  for (const c of found) process.stdout.write(`${c.file}: "${c.specifier}" (${c.from} -> ${c.to})\n`);
  if (found.length > 0 && !process.argv.includes("--list")) {
    process.stderr.write(
      `\n${found.length} relative import(s) leave their package: import the other package by name (its package.json "exports").\n`,
    );
    process.exit(1);
  }
  if (found.length === 0) process.stdout.write("package boundaries: no relative import leaves its package\n");
}
