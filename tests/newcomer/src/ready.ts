import type { Session } from "./session.ts";

/**
 * Polls `url` until it answers 200 (and `accept` agrees with the body). Fails at once, with the command's
 * last output lines, when the command exits first; fails after `timeoutMs` likewise.
 */
export async function untilAnswers(
  session: Session,
  url: string,
  timeoutMs: number,
  accept: (body: string) => boolean = () => true,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!session.running)
      throw session.failure(`the command exited (${await session.exited}) before ${url} answered`);
    const body = await fetch(url, { signal: AbortSignal.timeout(5_000) }).then(
      async (r) => (r.ok ? await r.text() : undefined),
      () => undefined,
    );
    if (body !== undefined && accept(body)) return body;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw session.failure(`${url} did not answer within ${timeoutMs / 1000} s`);
}

/** Waits until the command's output matches; fails with its last lines if it exits or times out first. */
export async function untilOutput(session: Session, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (pattern.test(session.output())) return;
    if (!session.running) throw session.failure(`the command exited before printing ${pattern}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw session.failure(`no ${pattern} in the output within ${timeoutMs / 1000} s`);
}
