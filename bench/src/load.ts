// How a scenario is driven: HTTP load with autocannon (the API and the HTTP floor), and the same SQL through a
// bare `pg` pool with as many concurrent callers (the SQL floor). Slow scenarios (a request over SLOW_MS, e.g.
// a full scan) are measured one request at a time instead: under 32 connections they would only queue.
import autocannon from "autocannon";
import type pg from "pg";
import { queryConfig, type Statement } from "./floor-sql.ts";

export const SLOW_MS = 250;

export interface Figures {
  rps: number;
  /** The server's own CPU time per request, in microseconds (HTTP references only). */
  cpuUs?: number;
  p50: number;
  p99: number;
  failures: number;
  /** Measured one request at a time (the scenario is slow). */
  sequential: boolean;
}

export interface LoadOptions {
  connections: number;
  durationSeconds: number;
  /** Requests of a sequential run. */
  sequentialRequests: number;
}

/** HTTP load on `baseUrl`: `nextPath()` gives each request's path. */
export async function loadHttp(
  baseUrl: string,
  nextPath: () => string,
  sequential: boolean,
  o: LoadOptions,
  cpuMs: () => number = () => 0,
): Promise<Figures> {
  if (sequential) {
    const cpuBefore = cpuMs();
    const latencies: number[] = [];
    let failures = 0;
    for (let i = 0; i < o.sequentialRequests; i++) {
      const started = performance.now();
      const res = await fetch(baseUrl + nextPath());
      await res.arrayBuffer();
      if (!res.ok) failures++;
      latencies.push(performance.now() - started);
    }
    const figures = summarise(latencies, sumOf(latencies) / 1000, failures, true);
    return { ...figures, cpuUs: ((cpuMs() - cpuBefore) * 1000) / latencies.length };
  }
  const run = (duration: number) =>
    autocannon({
      url: baseUrl,
      connections: o.connections,
      duration,
      timeout: 60,
      requests: [{ method: "GET", setupRequest: (req) => ({ ...req, path: nextPath() }) }],
    });
  await run(2); // warm-up: JIT, pool connections, plan caches
  const cpuBefore = cpuMs();
  const r = await run(o.durationSeconds);
  const cpuUs = ((cpuMs() - cpuBefore) * 1000) / Math.max(1, r.requests.total);
  return {
    rps: r.requests.average,
    cpuUs,
    p50: r.latency.p50,
    p99: r.latency.p99,
    failures: r.errors + r.timeouts + r.non2xx,
    sequential: false,
  };
}

/** The same statements on a bare pool; a request's statements run concurrently, as the API runs them. */
export async function loadSql(
  pool: pg.Pool,
  next: () => Statement[],
  sequential: boolean,
  o: LoadOptions,
): Promise<Figures> {
  const once = () => Promise.all(next().map((s) => pool.query(queryConfig(s))));
  if (sequential) {
    const latencies: number[] = [];
    for (let i = 0; i < o.sequentialRequests; i++) {
      const started = performance.now();
      await once();
      latencies.push(performance.now() - started);
    }
    return summarise(latencies, sumOf(latencies) / 1000, 0, true);
  }
  const run = async (duration: number) => {
    const latencies: number[] = [];
    let failures = 0;
    const end = performance.now() + duration * 1000;
    await Promise.all(
      Array.from({ length: o.connections }, async () => {
        while (performance.now() < end) {
          const started = performance.now();
          await once().catch(() => failures++);
          latencies.push(performance.now() - started);
        }
      }),
    );
    return { latencies, failures };
  };
  await run(1);
  const { latencies, failures } = await run(o.durationSeconds);
  return summarise(latencies, o.durationSeconds, failures, false);
}

/**
 * A request's time on the bare pool, to decide whether a scenario is slow: the median of five requests
 * (scenarios with random inputs vary), after one to warm up.
 */
export async function probeSql(pool: pg.Pool, next: () => Statement[]): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 6; i++) {
    const started = performance.now();
    await Promise.all(next().map((s) => pool.query(queryConfig(s))));
    if (i > 0) times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[2]!;
}

function summarise(latencies: number[], seconds: number, failures: number, sequential: boolean): Figures {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { rps: latencies.length / seconds, p50: at(0.5), p99: at(0.99), failures, sequential };
}

function sumOf(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Median and spread of repeated figures. */
export function combine(runs: Figures[]): Figures & { rpsMin: number; rpsMax: number } {
  const median = (pick: (f: Figures) => number) => {
    const v = runs.map(pick).sort((a, b) => a - b);
    return v[Math.floor((v.length - 1) / 2)] ?? 0;
  };
  return {
    rps: median((f) => f.rps),
    cpuUs: median((f) => f.cpuUs ?? Number.NaN),
    p50: median((f) => f.p50),
    p99: median((f) => f.p99),
    failures: runs.reduce((n, f) => n + f.failures, 0),
    sequential: runs.some((f) => f.sequential),
    rpsMin: Math.min(...runs.map((f) => f.rps)),
    rpsMax: Math.max(...runs.map((f) => f.rps)),
  };
}
