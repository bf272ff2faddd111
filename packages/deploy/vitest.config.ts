import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "deploy",
    globalSetup: ["../pg-local/src/vitest-global-setup.ts"],
  },
});
