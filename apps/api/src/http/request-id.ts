import { randomUUID } from "node:crypto";

// A safe format: it ends up in logs, response headers and audit rows. UUIDs (the Apps proxy's) and the
// usual tracing ids fit; anything else (spaces, markup, control characters, very long) gets a fresh UUID.
const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{7,63}$/;

/** Accepts the caller's X-Request-Id when it has the safe format (8-64 of A-Z a-z 0-9 . _ : -), else makes one. */
export function requestIdFrom(headers: Headers): string {
  const given = headers.get("x-request-id");
  return given && REQUEST_ID.test(given) ? given : randomUUID();
}
