import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "api",
    globalSetup: ["../../packages/pg-local/src/vitest-global-setup.ts"],
  },
});
