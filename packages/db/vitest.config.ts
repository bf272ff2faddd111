import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "db",
    globalSetup: ["../pg-local/src/vitest-global-setup.ts"],
  },
});
