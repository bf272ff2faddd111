// Start-up builds each of configuration, logger and telemetry once per process: the dev entry (src/main.ts,
// `run`) in real child processes, single and as a cluster, with telemetry on. A loader hook
// (testing/count-constructions) counts every loadConfig, createLogger and telemetry SDK built anywhere in
// each process, and each process reports its counts when it exits.
import { spawn } from "node:child_process";
import path from "node:path";
import { freePort } from "@lakebase-orders/pg-local";
import { describe, expect, it } from "vitest";

const MAIN = path.join(import.meta.dirname, "../main.ts");
const HOOK = path.join(import.meta.dirname, "../../testing/count-constructions/hook.ts");

interface Counts {
  pid: number;
  config: number;
  logger: number;
  telemetry: number;
}

/** Starts the API with `workers`, waits until every worker listens, stops it, returns each process's counts. */
async function constructions(workers: number): Promise<{ primaryPid: number; counts: Counts[] }> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", HOOK, MAIN], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      CLUSTER_WORKERS: String(workers),
      HOST: "127.0.0.1",
      PORT: String(port),
      // Nothing answers there: the server listens anyway and keeps trying in the background.
      LAKEBASE_PG_URL: "postgresql://nobody:unused@127.0.0.1:1/none",
      // Telemetry on (the SDK is built), exporting nowhere within the test's life.
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:1",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: Record<string, unknown>[] = [];
  const read = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (line.startsWith("{")) lines.push(JSON.parse(line) as Record<string, unknown>);
    }
  };
  child.stdout.on("data", read);
  child.stderr.on("data", read);
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  const deadline = Date.now() + 60_000;
  while (lines.filter((l) => l.msg === "listening").length < Math.max(1, workers)) {
    if (child.exitCode !== null) throw new Error(`exited early: ${JSON.stringify(lines)}`);
    if (Date.now() > deadline) throw new Error(`not listening within 60 s: ${JSON.stringify(lines)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill("SIGTERM");
  expect(await exited).toBe(0);
  return {
    primaryPid: child.pid!,
    counts: lines.filter((l) => l.constructions).map((l) => l.constructions as Counts),
  };
}

describe("start-up builds configuration, logger and telemetry once per process", () => {
  // Each case starts real node processes (three for the cluster): seconds, more on a loaded machine.
  it("a single process: one of each", { timeout: 60_000 }, async () => {
    const { counts } = await constructions(1);
    expect(counts).toEqual([expect.objectContaining({ config: 1, logger: 1, telemetry: 1 })]);
  });

  it("a cluster: the primary reads the configuration and logs (no telemetry); each worker one of each", {
    timeout: 60_000,
  }, async () => {
    const { primaryPid, counts } = await constructions(2);
    expect(counts).toHaveLength(3);
    const primary = counts.find((c) => c.pid === primaryPid);
    expect(primary).toEqual(expect.objectContaining({ config: 1, logger: 1, telemetry: 0 }));
    const workers = counts.filter((c) => c.pid !== primaryPid);
    expect(workers).toEqual([
      expect.objectContaining({ config: 1, logger: 1, telemetry: 1 }),
      expect.objectContaining({ config: 1, logger: 1, telemetry: 1 }),
    ]);
  });
});
