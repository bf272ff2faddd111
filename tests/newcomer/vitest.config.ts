import { defineProject } from "vitest/config";

// What a new user does, as tests: a fresh clone of the committed HEAD, the README's commands exactly as
// written (bootstrap, install, dev; build and start), an older Node, a private home. Slow by nature (each
// clone installs and starts the whole stack), so generous timeouts; the npm registry must be reachable.
export default defineProject({
  test: {
    name: "newcomer",
    include: ["src/**/*.test.ts"],
    environment: "node",
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
});
