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
// What a credential inside text needs around it: a URL's `://`, a bearer token, a Databricks PAT.
const MAY_HOLD_SECRET = /:\/\/|bearer|dapi/i;

/** One JSON object per line: what Databricks Apps collects from stdout and what log tools parse. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const min = RANK[options.level ?? "info"];
  const write = options.write ?? writeToStdout;
  const context = options.context;
  const make = (base: LogFields): Logger => {
    const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
      if (RANK[level] < min) return;
      const record = { time: new Date().toISOString(), level, msg, ...context?.(), ...base, ...fields };
      write(isClean(record, 0) ? JSON.stringify(record) : encodeObject(record));
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

// Lines written to stdout together: one write of up to a pipe's atomic size (PIPE_BUF, 4096 bytes on Linux),
// so a cluster's processes sharing the pipe never interleave inside a line, and lines longer than that alone
// as before. A write per line was a system call per request (about 9 us of a key lookup's CPU).
const ATOMIC_WRITE_BYTES = 4096;
let pending = "";
let pendingBytes = 0;
let flushScheduled = false;
let flushOnExit = false;

function flushStdout(): void {
  flushScheduled = false;
  if (pending === "") return;
  const out = pending;
  pending = "";
  pendingBytes = 0;
  process.stdout.write(out);
}

/**
 * The default sink: the line joins the others of this turn of the event loop, written at its end (or at
 * once when the batch is full). Writes to files and pipes are synchronous on Linux, so the lines of a
 * process that exits (`process.exit`, an uncaught error) are written on its way out.
 */
function writeToStdout(line: string): void {
  if (!flushOnExit) {
    flushOnExit = true;
    process.on("exit", flushStdout);
  }
  const bytes = Buffer.byteLength(line) + 1;
  if (pendingBytes + bytes > ATOMIC_WRITE_BYTES) flushStdout();
  pending += `${line}\n`;
  pendingBytes += bytes;
  if (pendingBytes >= ATOMIC_WRITE_BYTES) flushStdout();
  else if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushStdout);
  }
}

/** A logger that drops everything (tests that do not look at logs). */
export const silentLogger: Logger = createLogger({ write: () => undefined });

/** `JSON.stringify`'s replacer for what the line encoder leaves to it (see `encode`). */
function redact(key: string, value: unknown): unknown {
  if (key && SECRET_KEY.test(key)) return "[redacted]";
  if (value instanceof Error) return serializeError(value);
  if (typeof value === "string") return scrubSecrets(value);
  if (typeof value === "bigint") return value.toString();
  return value;
}

/**
 * True when `JSON.stringify` alone writes `value` as it does with `redact`: no secret-named key, no string
 * that may hold a credential, nothing the replacer changes (errors, bigints) or that changes itself (toJSON),
 * only plain objects and arrays. Most lines are (a request line is), and V8 writes those on its fast path.
 */
function isClean(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case "string":
      return !MAY_HOLD_SECRET.test(value);
    case "bigint":
      return false;
    case "object": {
      if (value === null) return true;
      if (depth >= 8) return false;
      if (Array.isArray(value)) {
        for (const item of value) if (!isClean(item, depth + 1)) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      if (typeof (value as { toJSON?: unknown }).toJSON === "function") return false;
      for (const key of Object.keys(value)) {
        if (SECRET_KEY.test(key) || !isClean((value as Record<string, unknown>)[key], depth + 1))
          return false;
      }
      return true;
    }
    default:
      // Numbers, booleans, undefined, functions, symbols: the replacer passes them as they are.
      return true;
  }
}

// Nesting deeper than this is left to JSON.stringify (which throws on a cycle, as before).
const MAX_DEPTH = 32;

/**
 * A log line's JSON, exactly as `JSON.stringify(record, redact)` writes it, without the replacer on the way
 * for plain objects, arrays and primitives: a replacer sends V8's stringify down its slow path for every
 * value of the line (about 10 us of a key lookup's request line). Secret-named keys are redacted and strings
 * scrubbed as before; anything else (Maps, class instances, boxed primitives) still goes through
 * `JSON.stringify` with the replacer.
 */
function encodeObject(object: object, depth = 0): string {
  let out = "{";
  for (const key of Object.keys(object)) {
    const text = encode(key, (object as Record<string, unknown>)[key], depth);
    if (text === undefined) continue;
    out += `${out.length === 1 ? "" : ","}${JSON.stringify(key)}:${text}`;
  }
  return `${out}}`;
}

/** One value as `JSON.stringify` with `redact` writes it under `key`; undefined where it writes nothing. */
function encode(key: string, raw: unknown, depth: number): string | undefined {
  let value = raw;
  if (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { toJSON?: unknown }).toJSON === "function"
  ) {
    value = (value as { toJSON: (key: string) => unknown }).toJSON(key);
  }
  if (key && SECRET_KEY.test(key)) return '"[redacted]"';
  switch (typeof value) {
    case "string":
      return JSON.stringify(scrubSecrets(value));
    case "number":
      return Number.isFinite(value) ? String(value) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return JSON.stringify(value.toString());
    case "object": {
      if (value === null) return "null";
      if (value instanceof Error) return encodeObject(serializeError(value), depth + 1);
      if (depth >= MAX_DEPTH) return JSON.stringify(value, redact);
      if (Array.isArray(value)) {
        let out = "[";
        for (let i = 0; i < value.length; i++) {
          out += `${i === 0 ? "" : ","}${encode(String(i), value[i], depth + 1) ?? "null"}`;
        }
        return `${out}]`;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto === Object.prototype || proto === null) return encodeObject(value, depth + 1);
      return JSON.stringify(value, redact);
    }
    default:
      // undefined, functions and symbols: left out of objects, null in arrays (as JSON.stringify does).
      return undefined;
  }
}

/**
 * Removes credentials embedded in text: `scheme://user:password@host` and bearer tokens. Linear in the
 * text's length (it scrubs request paths and error messages, which callers choose): the URL form is found by
 * scanning from each `://` rather than by a regular expression, whose backtracking over scheme-like runs made
 * a 16 KB path cost tens of milliseconds.
 */
export function scrubSecrets(text: string): string {
  // One scan for the common case, text with none of the three marks (a path, a procedure name, an id).
  if (!MAY_HOLD_SECRET.test(text)) return text;
  let out = text.includes("://") ? scrubUrlPasswords(text) : text;
  if (/bearer/i.test(out)) out = out.replace(/\b(bearer\s+)[A-Za-z0-9._~+/=-]+/gi, "$1[redacted]");
  if (/dapi/i.test(out)) out = out.replace(/\bdapi[a-f0-9]{16,}\b/gi, "[redacted]");
  return out;
}

const isWord = (c: number) =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95; // 0-9 A-Z a-z _
const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
/** `[a-z0-9+.-]`, either case. */
const isSchemeChar = (c: number) => (isWord(c) && c !== 95) || c === 43 || c === 45 || c === 46;
/** What `\s` matches. */
const isSpace = (c: number) =>
  c === 32 ||
  (c >= 9 && c <= 13) ||
  c === 0xa0 ||
  c === 0xfeff ||
  c === 0x2028 ||
  c === 0x2029 ||
  c === 0x3000 ||
  (c >= 0x2000 && c <= 0x200a) ||
  c === 0x1680 ||
  c === 0x202f ||
  c === 0x205f;

/**
 * `scheme://user:password@` with the password replaced, as `(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)[^@\s]*@`
 * (case-insensitive) would, in one pass: each `://` is looked at once, the scheme before it and the user after
 * it are runs no other `://` shares, and the search for the `@` that ends a password is remembered, so no
 * character is scanned more than a few times.
 */
function scrubUrlPasswords(text: string): string {
  let out = "";
  let copied = 0;
  // The last search for a password's end: from any start up to `atEnd`, it ends at `atEnd`.
  let atEnd = -1;
  let from = 0;
  for (;;) {
    const sep = text.indexOf("://", from);
    if (sep < 0) break;
    from = sep + 3;
    // The scheme: the leftmost letter at a word boundary from which scheme characters reach the `://`.
    let start = sep;
    while (start > copied && isSchemeChar(text.charCodeAt(start - 1))) start--;
    let scheme = -1;
    for (let k = start; k < sep; k++) {
      if (isLetter(text.charCodeAt(k)) && (k === 0 || !isWord(text.charCodeAt(k - 1)))) {
        scheme = k;
        break;
      }
    }
    if (scheme < 0) continue;
    // The user, up to its `:`.
    let colon = sep + 3;
    for (; colon < text.length; colon++) {
      const c = text.charCodeAt(colon);
      if (c === 58 || c === 47 || c === 63 || c === 35 || c === 64 || isSpace(c)) break;
    }
    if (text.charCodeAt(colon) !== 58) continue;
    // The password, up to the first `@` (a space or the end first: no password here).
    let end = colon + 1;
    if (end <= atEnd) end = atEnd;
    else {
      while (end < text.length && text.charCodeAt(end) !== 64 && !isSpace(text.charCodeAt(end))) end++;
      atEnd = end;
    }
    if (text.charCodeAt(end) !== 64) continue;
    out += `${text.slice(copied, colon + 1)}[redacted]@`;
    copied = end + 1;
    from = copied;
  }
  return copied === 0 ? text : out + text.slice(copied);
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
