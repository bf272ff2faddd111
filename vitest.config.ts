import { defineConfig } from "vitest/config";

// One runner for the whole monorepo: each package is a project, so `pnpm test` runs everything in
// parallel and prints one summary. The browser e2e suite is its own project (apps/web/vitest.e2e.config.ts);
// tests/newcomer runs the README's commands on fresh clones; tests/appkit runs Databricks' AppKit on the
// local Lakebase.
export default defineConfig({
  test: {
    projects: [
      "packages/*",
      "apps/api",
      "apps/web",
      "apps/web/vitest.e2e.config.ts",
      "bench",
      "tests/newcomer",
      "tests/appkit",
    ],
    // Project files do not inherit timeouts from here (only inline projects would): each sets its own.
    // Nor `maxWorkers`: files are grouped by their project's own `maxWorkers`, so a
    // `maxWorkers: 2` here leaves every project at its default (cores - 1, one file at a time on CI's 2
    // cores); checked in vitest 5.1 (files overlap with `--maxWorkers=2` on the command line, not with it
    // here). To run files side by side, pass the flag or set the same value in every project.
    // CI asks for a JSON report beside the console one, to print a single "N passed, N failed" line.
    reporters: process.env.TEST_REPORT_JSON
      ? ["default", ["json", { outputFile: process.env.TEST_REPORT_JSON }]]
      : ["default"],
  },
});
