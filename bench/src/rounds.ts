import autocannon from "autocannon";
import { processTreeCpuMs } from "./cpu.ts";

// Interleaved rounds of one HTTP load each (bench/rest.ts, bench/telemetry.ts): a noisy neighbour hits every
// variant alike, and the server's own CPU per request is the robust figure.

export interface Run {
  rps: number;
  /** CPU time of the server process (and its workers) per answered request, in microseconds. */
  cpuUs: number;
  p50: number;
  p99: number;
  failures: number;
}

/**
 * `connections` keep GETting `nextPath()` on `url` for `duration` seconds; `pid` is the server's. With `rate`,
 * at most that many requests a second in all (an open load the server keeps up with, so two servers are
 * compared doing the same work per second; a saturating load also rewards the faster one with fuller
 * batches per event-loop turn, which lowers its CPU per request further).
 */
export async function loadRun(
  url: string,
  pid: number,
  nextPath: () => string,
  duration: number,
  connections: number,
  rate?: number,
): Promise<Run> {
  const before = processTreeCpuMs(pid);
  const r = await autocannon({
    url,
    connections,
    duration,
    ...(rate !== undefined && { overallRate: rate }),
    requests: [{ method: "GET", setupRequest: (req) => ({ ...req, path: nextPath() }) }],
  });
  const cpuUs = (processTreeCpuMs(pid) - before) * 1000;
  return {
    rps: r.requests.average,
    cpuUs: cpuUs / Math.max(1, r["2xx"]),
    p50: r.latency.p50,
    p99: r.latency.p99,
    failures: r.errors + r.timeouts + r.non2xx,
  };
}

export function medianOf(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

export const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
