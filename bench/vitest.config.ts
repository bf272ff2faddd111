import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "bench",
    globalSetup: ["../packages/pg-local/src/vitest-global-setup.ts"],
  },
});
