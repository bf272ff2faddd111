import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
// What runs inside the app's process. Its entry points hand process.env to loadConfig once; nothing else looks.
const APP_SOURCES = [
  "apps/api/src",
  "packages/db/src",
  "packages/lakebase-auth/src",
  "packages/log/src",
  "packages/shared/src",
];
const ENTRY_POINTS = new Set(["apps/api/src/main.ts", "packages/db/src/migrate-cli.ts"]);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      // Generated code, and test helpers (they may read what the test runner sets up).
      if (!["generated", "node_modules", "testing"].includes(entry.name)) out.push(...sourceFiles(rel));
    } else if (/\.tsx?$/.test(entry.name) && !/(\.test|test-support)\.tsx?$/.test(entry.name)) {
      out.push(rel);
    }
  }
  return out;
}

describe("configuration is read in one place", () => {
  it("no app source reads process.env except the entry points", () => {
    const offenders = APP_SOURCES.flatMap(sourceFiles).filter(
      (file) =>
        !ENTRY_POINTS.has(file) && /process\.env\b/.test(fs.readFileSync(path.join(root, file), "utf8")),
    );
    expect(offenders).toEqual([]);
  });
});
