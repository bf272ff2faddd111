import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "lakebase-local",
    globalSetup: ["../pg-local/src/vitest-global-setup.ts"],
  },
});
