import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

/**
 * The script of a dependency's command (its package.json `bin`), resolved the way Node resolves an import
 * from the package that declares the dependency. Never `<root>/node_modules/.bin`: that folder holds only
 * what the root declares or what hoisting happens to put there.
 */
export function commandOf(packageDir: string, dependency: string, command = dependency): string {
  const require = createRequire(path.join(packageDir, "package.json"));
  let manifestPath: string;
  try {
    manifestPath = require.resolve(`${dependency}/package.json`);
  } catch {
    throw new Error(`${dependency} is not installed for ${packageDir}: run \`pnpm install\``);
  }
  const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8")) as {
    bin?: string | Record<string, string>;
  };
  const bin = typeof manifest.bin === "string" ? manifest.bin : manifest.bin?.[command];
  if (!bin) throw new Error(`${dependency} has no command named ${command}`);
  return path.join(path.dirname(manifestPath), bin);
}
