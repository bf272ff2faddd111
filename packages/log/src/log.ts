export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Receives each JSON line (without newline). Default: stdout. */
  write?: (line: string) => void;
  base?: LogFields;
  /**
   * Fields of the moment a line is written, e.g. the active trace's `trace_id` and `span_id` (see the API's
   * telemetry). Called only for lines that pass the level; undefined adds nothing.
   */
  context?: () => LogFields | undefined;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
// Keys whose values must never reach a log line, wherever they sit.
const SECRET_KEY = /pass(word)?|token|secret|authorization|cookie|credential/i;

/** One JSON object per line: what Databricks Apps collects from stdout and what log tools parse. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const min = RANK[options.level ?? "info"];
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const context = options.context;
  const make = (base: LogFields): Logger => {
    const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
      if (RANK[level] < min) return;
      const record = { time: new Date().toISOString(), level, msg, ...context?.(), ...base, ...fields };
      write(JSON.stringify(record, redact));
    };
    return {
      debug: (msg, fields) => emit("debug", msg, fields),
      info: (msg, fields) => emit("info", msg, fields),
      warn: (msg, fields) => emit("warn", msg, fields),
      error: (msg, fields) => emit("error", msg, fields),
      child: (fields) => make({ ...base, ...fields }),
    };
  };
  return make(options.base ?? {});
}

/** A logger that drops everything (tests that do not look at logs). */
export const silentLogger: Logger = createLogger({ write: () => undefined });

function redact(key: string, value: unknown): unknown {
  if (key && SECRET_KEY.test(key)) return "[redacted]";
  if (value instanceof Error) return serializeError(value);
  if (typeof value === "string") return scrubSecrets(value);
  if (typeof value === "bigint") return value.toString();
  return value;
}

/** Removes credentials embedded in text: `scheme://user:password@host` and bearer tokens. */
export function scrubSecrets(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)[^@\s]*@/gi, "$1[redacted]@")
    .replace(/\b(bearer\s+)[A-Za-z0-9._~+/=-]+/gi, "$1[redacted]")
    .replace(/\bdapi[a-f0-9]{16,}\b/gi, "[redacted]");
}

/** Error with its cause chain and Postgres code, messages scrubbed of credentials. */
export function serializeError(error: unknown, depth = 0): LogFields {
  if (!(error instanceof Error)) return { message: scrubSecrets(String(error)) };
  const out: LogFields = { name: error.name, message: scrubSecrets(error.message) };
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" || typeof code === "number") out.code = code;
  if (error.stack) out.stack = scrubSecrets(error.stack.split("\n").slice(0, 6).join("\n"));
  if (error.cause !== undefined && depth < 4) out.cause = serializeError(error.cause, depth + 1);
  return out;
}
