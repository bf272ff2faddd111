import react from "@vitejs/plugin-react";
import { defineProject } from "vitest/config";

export default defineProject({
  plugins: [react()],
  test: {
    name: "web",
    // A file-based project does not inherit the root config's timeouts: Vitest's 5 s default would fail
    // tests on a loaded 2-core CI machine.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    environment: "happy-dom",
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
