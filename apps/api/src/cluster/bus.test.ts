import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

describe("the change bus", () => {
  it("drops a message published after the worker's IPC channel closed instead of crashing the worker", async () => {
    const { stdout } = await run(
      process.execPath,
      ["--import", "tsx", path.join(import.meta.dirname, "bus-after-disconnect.fixture.ts")],
      { timeout: 30_000 },
    );
    expect(JSON.parse(stdout.trim())).toEqual({ workerExitCode: 0 });
  });
});
