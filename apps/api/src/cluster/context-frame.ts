/**
 * Node's flag that backs AsyncLocalStorage with V8's continuation data (AsyncContextFrame) instead of
 * promise hooks: OpenTelemetry's context manager then costs nothing per promise. Added in Node 22.7
 * (experimental; Databricks Apps runs 22.16), the default from Node 24, where this spelling may be gone.
 * Checked with the API's tests of telemetry, request logs, tRPC queries, the cluster and connection loss:
 * the app's one AsyncLocalStorage is OpenTelemetry's, which only uses `run` (the behaviour that differs,
 * `enterWith` combined with `AsyncResource` or `exit`, nodejs/node#58204 and #62290, is not used).
 */
export const ASYNC_CONTEXT_FRAME_FLAG = "--experimental-async-context-frame";

/**
 * `execArgv` with the flag added when this Node accepts it and nothing in `execArgv` already decides
 * (`--no-experimental-async-context-frame` on the command line keeps the old model, for the workers too).
 * A Node that lacks the flag gets `execArgv` unchanged, so it still starts.
 */
export function withAsyncContextFrame(
  execArgv: readonly string[],
  accepted: ReadonlySet<string> = process.allowedNodeEnvironmentFlags,
): string[] {
  const decided = execArgv.some((arg) => arg.includes("async-context-frame"));
  return decided || !accepted.has(ASYNC_CONTEXT_FRAME_FLAG)
    ? [...execArgv]
    : [...execArgv, ASYNC_CONTEXT_FRAME_FLAG];
}
