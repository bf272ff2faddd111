import { describe, expect, it } from "vitest";
import { ASYNC_CONTEXT_FRAME_FLAG, withAsyncContextFrame } from "./context-frame.ts";

describe("the workers' AsyncContextFrame flag", () => {
  it("is added where Node accepts it, after what the primary was started with", () => {
    const accepted = new Set([ASYNC_CONTEXT_FRAME_FLAG]);
    expect(withAsyncContextFrame(["--import", "tsx"], accepted)).toEqual([
      "--import",
      "tsx",
      ASYNC_CONTEXT_FRAME_FLAG,
    ]);
  });

  it("leaves a Node without it, and an explicit choice on the command line, as they are", () => {
    expect(withAsyncContextFrame(["--import", "tsx"], new Set())).toEqual(["--import", "tsx"]);
    const accepted = new Set([ASYNC_CONTEXT_FRAME_FLAG]);
    expect(withAsyncContextFrame(["--no-experimental-async-context-frame"], accepted)).toEqual([
      "--no-experimental-async-context-frame",
    ]);
    expect(withAsyncContextFrame([ASYNC_CONTEXT_FRAME_FLAG], accepted)).toEqual([ASYNC_CONTEXT_FRAME_FLAG]);
  });

  it("matches what this Node reports", () => {
    const added = withAsyncContextFrame([]).includes(ASYNC_CONTEXT_FRAME_FLAG);
    expect(added).toBe(process.allowedNodeEnvironmentFlags.has(ASYNC_CONTEXT_FRAME_FLAG));
  });
});
