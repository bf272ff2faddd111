import { defineProject } from "vitest/config";

// Browser tests against the real stack (local Lakebase + API serving the built SPA). A separate project:
// they need /usr/bin/chromium and take a minute, so they run on their own (`--project web-e2e`).
export default defineProject({
  test: {
    name: "web-e2e",
    include: ["e2e/**/*.e2e.test.ts"],
    environment: "node",
    testTimeout: 120_000,
    hookTimeout: 240_000,
    // The SPA is built once for every file (its prerender and compression were most of each file's set-up).
    globalSetup: ["e2e/build-once.ts"],
    // One stack and one browser for the file; the scenarios run in order.
    sequence: { concurrent: false },
  },
});
