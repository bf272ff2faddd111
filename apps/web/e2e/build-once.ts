import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";
import type { TestProject } from "vitest/node";

// The SPA is the same for every e2e file: built once per run (prerender and compression take most of a
// file's set-up), into a temporary directory so that a test run never races a developer's `dist`.
const WEB_DIR = fileURLToPath(new URL("..", import.meta.url));

declare module "vitest" {
  export interface ProvidedContext {
    /** The built SPA the e2e stacks serve (vitest.e2e.config.ts's global set-up). */
    spaDir: string;
  }
}

let workDir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  workDir = await mkdtemp(path.join(tmpdir(), "web-e2e-spa-"));
  const outDir = path.join(workDir, "dist");
  await build({
    root: WEB_DIR,
    configFile: path.join(WEB_DIR, "vite.config.ts"),
    logLevel: "warn",
    build: { outDir, emptyOutDir: true },
  });
  project.provide("spaDir", outDir);
}

export async function teardown(): Promise<void> {
  if (workDir) await rm(workDir, { recursive: true, force: true });
}
