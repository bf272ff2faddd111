import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "tpch",
    globalSetup: ["../pg-local/src/vitest-global-setup.ts"],
  },
});
