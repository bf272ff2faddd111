import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "lakebase-local",
    // A file-based project does not inherit the root config's timeouts: Vitest's 5 s default would fail
    // tests on a loaded 2-core CI machine.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ["../pg-local/src/vitest-global-setup.ts"],
  },
});
