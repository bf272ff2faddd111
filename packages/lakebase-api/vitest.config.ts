import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "lakebase-api",
    globalSetup: ["../pg-local/src/vitest-global-setup.ts"],
  },
});
