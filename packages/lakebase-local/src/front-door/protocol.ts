/** PostgreSQL v3 wire-format pieces the front door needs (see the PG docs "Message Formats"). */

export const SSL_REQUEST = 80877103;
export const GSSENC_REQUEST = 80877104;
export const CANCEL_REQUEST = 80877102;
export const PROTOCOL_3_0 = 196608;

/** PostgreSQL's own limit for a startup packet (MAX_STARTUP_PACKET_LENGTH). */
export const MAX_STARTUP_LENGTH = 10_000;

export function cstring(text: string): Buffer {
  return Buffer.from(`${text}\0`, "utf8");
}

/** A typed message: type byte, Int32 length (itself included), body. */
export function frame(type: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const out = Buffer.allocUnsafe(5 + body.length);
  out.write(type, 0, "latin1");
  out.writeInt32BE(body.length + 4, 1);
  body.copy(out, 5);
  return out;
}

function int32(value: number): Buffer {
  const out = Buffer.allocUnsafe(4);
  out.writeInt32BE(value, 0);
  return out;
}

export function authenticationRequest(code: number, extra: Buffer = Buffer.alloc(0)): Buffer {
  return frame("R", Buffer.concat([int32(code), extra]));
}

export interface ErrorFields {
  severity: "FATAL" | "ERROR";
  code: string;
  message: string;
  detail?: string;
}

/** An ErrorResponse as a real server writes it: S (localized) and V (never localized) severities first. */
/** The last message of a refused or ended connection. */
export function fatal(code: string, message: string): Buffer {
  return errorResponse({ severity: "FATAL", code, message });
}

export function errorResponse(fields: ErrorFields): Buffer {
  const parts = [
    Buffer.from("S"),
    cstring(fields.severity),
    Buffer.from("V"),
    cstring(fields.severity),
    Buffer.from("C"),
    cstring(fields.code),
    Buffer.from("M"),
    cstring(fields.message),
  ];
  if (fields.detail) parts.push(Buffer.from("D"), cstring(fields.detail));
  parts.push(Buffer.from([0]));
  return frame("E", Buffer.concat(parts));
}

/** Fields of an ErrorResponse/NoticeResponse body, keyed by their one-letter code. */
export function parseFields(body: Buffer): Record<string, string> {
  const fields: Record<string, string> = {};
  let at = 0;
  while (at < body.length && body[at] !== 0) {
    const code = String.fromCharCode(body[at] ?? 0);
    const end = body.indexOf(0, at + 1);
    if (end < 0) break;
    fields[code] = body.toString("utf8", at + 1, end);
    at = end + 1;
  }
  return fields;
}

/** Startup parameters: name\0value\0 pairs ended by one \0. Undefined when malformed. */
export function parseStartupParameters(body: Buffer): Map<string, string> | undefined {
  const params = new Map<string, string>();
  let at = 0;
  while (at < body.length) {
    if (body[at] === 0) return at === body.length - 1 ? params : undefined;
    const nameEnd = body.indexOf(0, at);
    if (nameEnd < 0) return undefined;
    const valueEnd = body.indexOf(0, nameEnd + 1);
    if (valueEnd < 0) return undefined;
    params.set(body.toString("utf8", at, nameEnd), body.toString("utf8", nameEnd + 1, valueEnd));
    at = valueEnd + 1;
  }
  return undefined;
}

export function startupMessage(params: Map<string, string>): Buffer {
  const parts: Buffer[] = [int32(PROTOCOL_3_0)];
  for (const [name, value] of params) parts.push(cstring(name), cstring(value));
  parts.push(Buffer.from([0]));
  const body = Buffer.concat(parts);
  return Buffer.concat([int32(body.length + 4), body]);
}

/** NegotiateProtocolVersion: we speak 3.0 and recognise no `_pq_.` protocol options. */
export function negotiateProtocolVersion(unrecognised: string[]): Buffer {
  return frame("v", Buffer.concat([int32(0), int32(unrecognised.length), ...unrecognised.map(cstring)]));
}

export function readCString(body: Buffer, at = 0): string {
  const end = body.indexOf(0, at);
  return body.toString("utf8", at, end < 0 ? body.length : end);
}
