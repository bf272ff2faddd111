import { defineProject } from "vitest/config";

// Databricks' own AppKit, unchanged, against the local Lakebase (issue 24 item 8). Starts a child process
// that installs nothing (the workspace already holds @databricks/appkit), so it is a normal-speed project.
export default defineProject({
  test: {
    name: "appkit",
    include: ["src/**/*.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ["../../packages/pg-local/src/vitest-global-setup.ts"],
  },
});
