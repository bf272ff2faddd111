/** Structured JSON-line logger. Events are plain objects; callers never put a token or password in one. */
export interface JsonLogger {
  info(event: object): void;
  warn(event: object): void;
  error(event: object): void;
}

export const silentLogger: JsonLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** One JSON object per line on the given stream (stdout by default), which is what Databricks Apps collects. */
export function jsonLineLogger(
  write: (line: string) => void = (line) => process.stdout.write(line),
): JsonLogger {
  const emit = (level: string, event: object) =>
    write(`${JSON.stringify({ ts: new Date().toISOString(), level, ...event })}\n`);
  return {
    info: (event) => emit("info", event),
    warn: (event) => emit("warn", event),
    error: (event) => emit("error", event),
  };
}
