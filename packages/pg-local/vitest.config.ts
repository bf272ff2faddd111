import { defineProject } from "vitest/config";

export default defineProject({
  // Each test starts (and some restart) a cluster of their own: seconds on a busy CI machine, not 5.
  test: { name: "pg-local", globalSetup: ["./src/vitest-global-setup.ts"], testTimeout: 60_000 },
});
