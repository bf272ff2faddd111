import { randomBytes } from "node:crypto";
import net from "node:net";
import { ApiError } from "@databricks/sdk-experimental";
import { createLogger } from "@lakebase-orders/log";
import { freePort } from "@lakebase-orders/pg-local";
import { afterAll, describe, expect, it } from "vitest";
import { createCachingTokenProvider, TokenUnavailableError } from "./caching-token-provider.ts";
import type { Credential } from "./token-provider.ts";

// Every log line of every test goes here; the last test searches it for every token ever issued.
const logLines: string[] = [];
const issued: string[] = [];
const logger = createLogger({ write: (l) => logLines.push(l) });

function newToken(): string {
  const token = `tok_${randomBytes(12).toString("hex")}`;
  issued.push(token);
  return token;
}

/** A controllable clock: tests move time by hand. */
function fakeClock(start = Date.UTC(2026, 10, 21)) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

/** A real credential function that counts its calls and mints tokens valid for `ttlMs` on the given clock. */
function countingIssuer(clock: { now: () => number }, ttlMs: number) {
  const state = { calls: 0, fail: undefined as (() => Error | undefined) | undefined };
  const fetchCredential = async (): Promise<Credential> => {
    state.calls++;
    await new Promise((r) => setTimeout(r, 5));
    const failure = state.fail?.();
    if (failure) throw failure;
    return { token: newToken(), expiresAt: new Date(clock.now() + ttlMs) };
  };
  return { state, fetchCredential };
}

const apiError = (status: number, code: string) => new ApiError(`${code} from test`, code, status, {}, []);
const source = { flavour: "provisioned" as const, target: "orders-instance" };
const noSleep = async () => undefined;

describe("caching token provider", () => {
  it("caches until the refresh point, then refreshes once while serving the still-valid token", async () => {
    const clock = fakeClock();
    const issuer = countingIssuer(clock, 3600_000);
    const p = createCachingTokenProvider({ source, ...issuer, now: clock.now, logger });
    const first = await p.getToken();
    clock.advance(3600_000 - 300_000 - 1);
    expect(await p.getToken()).toBe(first);
    expect(issuer.state.calls).toBe(1);
    clock.advance(2); // past expiry minus refreshBeforeSeconds (300 s)
    expect(await p.getToken()).toBe(first); // still valid: served while the refresh runs
    await waitFor(() => p.metrics().refreshes === 2);
    const second = await p.getToken();
    expect(second).not.toBe(first);
    expect(issuer.state.calls).toBe(2);
    expect(p.expiresAt()?.getTime()).toBe(clock.now() + 3600_000);
  });

  it("caps the refresh lead at half the lifetime so a short TTL still caches", async () => {
    const clock = fakeClock();
    const issuer = countingIssuer(clock, 10_000);
    const p = createCachingTokenProvider({ source, ...issuer, now: clock.now, logger });
    const first = await p.getToken();
    clock.advance(4_900);
    expect(await p.getToken()).toBe(first);
    expect(issuer.state.calls).toBe(1);
    clock.advance(200);
    await p.getToken();
    await waitFor(() => issuer.state.calls === 2);
    expect(p.metrics().lifetimeSeconds).toBe(10);
  });

  it("treats a token as expired skewSeconds early", async () => {
    const clock = fakeClock();
    const issuer = countingIssuer(clock, 3600_000);
    const p = createCachingTokenProvider({
      source,
      ...issuer,
      now: clock.now,
      logger,
      skewSeconds: 30,
      sleep: noSleep,
    });
    await p.getToken();
    issuer.state.fail = () => apiError(503, "TEMPORARILY_UNAVAILABLE");
    clock.advance(3600_000 - 29_000); // 29 s before expiry: inside the skew margin, so not usable
    await expect(p.getToken()).rejects.toBeInstanceOf(TokenUnavailableError);
  });

  it("makes exactly one credential call for 100 concurrent cold callers", async () => {
    const clock = fakeClock();
    const issuer = countingIssuer(clock, 3600_000);
    const p = createCachingTokenProvider({ source, ...issuer, now: clock.now, logger });
    const tokens = await Promise.all(Array.from({ length: 100 }, () => p.getToken()));
    expect(issuer.state.calls).toBe(1);
    expect(new Set(tokens).size).toBe(1);
    expect(p.metrics()).toMatchObject({ refreshes: 1, credentialCalls: 1, failures: 0 });
  });

  it("makes one credential call for every new connection just past validUntil", async () => {
    const clock = fakeClock();
    const issuer = countingIssuer(clock, 600_000);
    const p = createCachingTokenProvider({ source, ...issuer, now: clock.now, logger });
    const first = await p.getToken();
    clock.advance(600_000 - 29_000); // inside the skew margin: the cached token is no longer handed out
    const tokens = await Promise.all(Array.from({ length: 50 }, () => p.getToken()));
    expect(issuer.state.calls).toBe(2);
    expect(new Set(tokens)).toEqual(new Set([tokens[0]]));
    expect(tokens[0]).not.toBe(first);
  });

  it("after a failed refresh, answers new connections with its failure until the cooldown ends: one refresh at a time", async () => {
    const clock = fakeClock();
    const issuer = countingIssuer(clock, 600_000);
    const p = createCachingTokenProvider({
      source,
      ...issuer,
      now: clock.now,
      logger,
      sleep: noSleep,
      maxAttempts: 3,
      failureCooldownMs: 5_000,
    });
    await p.getToken();
    issuer.state.fail = () => apiError(503, "TEMPORARILY_UNAVAILABLE");
    clock.advance(600_000 - 29_000);
    await expect(p.getToken()).rejects.toBeInstanceOf(TokenUnavailableError);
    const afterOneRefresh = issuer.state.calls;
    expect(afterOneRefresh).toBe(1 + 3);
    // Ten new connections inside the cooldown: the same answer, no credential call.
    for (let i = 0; i < 10; i++) {
      clock.advance(100);
      await expect(p.getToken()).rejects.toThrow(/503/);
    }
    expect(issuer.state.calls).toBe(afterOneRefresh);
    clock.advance(5_000);
    issuer.state.fail = undefined;
    expect(await p.getToken()).toMatch(/^tok_/);
    expect(issuer.state.calls).toBe(afterOneRefresh + 1);
  });

  it("discards the token the database refused (28P01), and only that one", async () => {
    const clock = fakeClock();
    const issuer = countingIssuer(clock, 3600_000);
    const p = createCachingTokenProvider({ source, ...issuer, now: clock.now, logger });
    const refused = await p.getToken();
    p.discard?.("some-older-token");
    expect(await p.getToken()).toBe(refused);
    p.discard?.(refused);
    const next = await p.getToken();
    expect(next).not.toBe(refused);
    expect(issuer.state.calls).toBe(2);
  });

  it("retries 429 and 503 with full-jitter exponential backoff, and gives up at once on 403", async () => {
    const clock = fakeClock();
    const issuer = countingIssuer(clock, 3600_000);
    const failures = [apiError(429, "REQUEST_LIMIT_EXCEEDED"), apiError(503, "TEMPORARILY_UNAVAILABLE")];
    issuer.state.fail = () => failures.shift();
    const delays: number[] = [];
    const p = createCachingTokenProvider({
      source,
      ...issuer,
      now: clock.now,
      logger,
      baseDelayMs: 100,
      maxDelayMs: 1000,
      random: () => 0.999,
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    await p.getToken();
    expect(issuer.state.calls).toBe(3);
    expect(delays).toHaveLength(2);
    expect(delays[0]).toBeLessThanOrEqual(100);
    expect(delays[1]).toBeGreaterThan(100); // the ceiling doubled
    expect(delays[1]).toBeLessThanOrEqual(200);
    expect(p.metrics()).toMatchObject({ failures: 2, refreshes: 1 });

    const forbidden = countingIssuer(clock, 3600_000);
    forbidden.state.fail = () => apiError(403, "PERMISSION_DENIED");
    const q = createCachingTokenProvider({ source, ...forbidden, now: clock.now, logger, sleep: noSleep });
    await expect(q.getToken()).rejects.toThrow(/orders-instance.*403 PERMISSION_DENIED/);
    expect(forbidden.state.calls).toBe(1);
  });

  it("bounds the retries of a persistent outage", async () => {
    const clock = fakeClock();
    const issuer = countingIssuer(clock, 3600_000);
    issuer.state.fail = () => apiError(503, "TEMPORARILY_UNAVAILABLE");
    const p = createCachingTokenProvider({
      source,
      ...issuer,
      now: clock.now,
      logger,
      maxAttempts: 5,
      sleep: noSleep,
    });
    await expect(p.getToken()).rejects.toThrow(/after 5 attempts/);
    expect(issuer.state.calls).toBe(5);
  });

  it("serves the last known good token while a failing refresh leaves it valid, then fails clearly", async () => {
    const clock = fakeClock();
    const issuer = countingIssuer(clock, 600_000);
    const p = createCachingTokenProvider({ source, ...issuer, now: clock.now, logger, sleep: noSleep });
    const good = await p.getToken();
    // The outage message echoes the token: the provider must scrub it from what it logs and throws.
    issuer.state.fail = () => apiError(503, `TEMPORARILY_UNAVAILABLE while rotating ${good}`);
    clock.advance(400_000); // past the refresh point (300 s), before the skew margin
    expect(await p.getToken()).toBe(good);
    await waitFor(() => p.metrics().failures >= 4);
    clock.advance(5_000);
    expect(await p.getToken()).toBe(good);
    expect(p.metrics().servedLastKnownGood).toBeGreaterThanOrEqual(2);
    clock.advance(180_000); // now within 30 s of expiry
    const error = await p.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenUnavailableError);
    const message = (error as Error).message;
    expect(message).toContain('Lakebase instance "orders-instance"');
    expect(message).toContain("503");
    expect(message).not.toContain(good);
    issuer.state.fail = undefined;
    // Within the failure cooldown the failure stands (one refresh at a time); after it, a new token.
    await expect(p.getToken()).rejects.toBeInstanceOf(TokenUnavailableError);
    clock.advance(1_000);
    expect(await p.getToken()).not.toBe(good);
  });

  it("names the instance and the raw network cause when the API is unreachable", async () => {
    const port = await freePort();
    const p = createCachingTokenProvider({
      source,
      logger,
      sleep: noSleep,
      maxAttempts: 2,
      fetchCredential: () =>
        new Promise<Credential>((_, reject) => {
          const socket = net.connect(port, "127.0.0.1");
          socket.once("error", reject);
        }),
    });
    await expect(p.getToken()).rejects.toThrow(/orders-instance.*ECONNREFUSED.*after 2 attempts/);
    expect(p.metrics().credentialCalls).toBe(2);
  });

  it("falls back to the assumed lifetime when the issuer's expiry is already past by our clock", async () => {
    const clock = fakeClock();
    let calls = 0;
    const p = createCachingTokenProvider({
      source,
      logger,
      now: clock.now,
      assumedLifetimeSeconds: 120,
      fetchCredential: async () => {
        calls++;
        return { token: newToken(), expiresAt: new Date(clock.now() - 1000) };
      },
    });
    const token = await p.getToken();
    clock.advance(59_000);
    expect(await p.getToken()).toBe(token);
    expect(calls).toBe(1);
    expect(logLines.some((l) => l.includes("lakebase_token_expiry_in_past"))).toBe(true);
  });

  it("refreshes in the background ahead of need, and stops", async () => {
    let calls = 0;
    const p = createCachingTokenProvider({
      source,
      logger,
      fetchCredential: async () => {
        calls++;
        return { token: newToken(), expiresAt: new Date(Date.now() + 1_000) };
      },
    });
    p.start();
    await waitFor(() => calls >= 3, 5_000); // refresh point is half of the 1 s lifetime
    expect(p.metrics().refreshes).toBe(calls);
    p.stop();
    const stoppedAt = calls;
    await new Promise((r) => setTimeout(r, 1_200));
    expect(calls).toBe(stoppedAt);
    // A caller after the background refreshes never waited on the API.
    expect(p.expiresAt()?.getTime()).toBeGreaterThan(Date.now() - 1_000);
  });
});

afterAll(() => {
  // Runs last: no token issued in this file may appear in any captured log line.
  expect(issued.length).toBeGreaterThan(5);
  expect(logLines.length).toBeGreaterThan(5);
  for (const token of issued) {
    for (const line of logLines) expect(line.includes(token), `token leaked into log: ${line}`).toBe(false);
  }
});

async function waitFor(predicate: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
