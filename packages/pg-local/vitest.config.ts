import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "pg-local", globalSetup: ["./src/vitest-global-setup.ts"] },
});
