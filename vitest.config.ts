import { defineConfig } from "vitest/config";

// One runner for the whole monorepo: each package is a project, so `pnpm test` runs everything in
// parallel and prints one summary. Packages that need a browser-like DOM configure it in their own file.
export default defineConfig({
  test: {
    projects: ["packages/*", "apps/api", "apps/web", "bench"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: process.env.CI ? ["default"] : ["default"],
  },
});
