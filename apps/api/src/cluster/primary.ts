import cluster, { type Worker } from "node:cluster";
import type { Logger } from "@lakebase-orders/log";
import { relayBusMessages } from "./bus.ts";
import { withAsyncContextFrame } from "./context-frame.ts";
import { createReadinessTracker } from "./readiness.ts";
import { SHUTDOWN_MESSAGE } from "./worker.ts";

/** Databricks Apps kills the app 15 s after SIGTERM; workers stop within 12.5 s, the primary waits a bit longer. */
const PRIMARY_DEADLINE_MS = 13_000;
/** A worker that dies this often within a minute means a broken deployment: exit and let the platform act. */
const MAX_RESTARTS_PER_MINUTE = 5;

/**
 * The primary of a cluster: it forks `workers` processes (each runs the whole server and shares the listening
 * socket), relays their bus messages, restarts one that dies, and on SIGTERM/SIGINT asks every worker to shut
 * down and waits for them, inside the 15 s Databricks Apps allows. It opens no database connection and starts
 * no telemetry: `run` hands it the configured count and its one logger.
 */
export function superviseWorkers(workers: number, logger: Logger): void {
  let stopping = false;
  const restarts: number[] = [];
  const live = (): Worker[] =>
    Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
  const readiness = createReadinessTracker(live);
  // Workers serve every request: they get the cheaper AsyncLocalStorage where this Node has it.
  cluster.setupPrimary({ execArgv: withAsyncContextFrame(process.execArgv) });
  const fork = () => {
    const worker = cluster.fork();
    readiness.forked(worker);
    worker.on("message", (message: unknown) => {
      if (!readiness.message(worker, message)) relayBusMessages(worker, message, live());
    });
    return worker;
  };

  cluster.on("exit", (worker, code, signal) => {
    readiness.exited(worker);
    if (stopping) return;
    const now = Date.now();
    restarts.push(now);
    while (restarts.length > 0 && restarts[0]! < now - 60_000) restarts.shift();
    logger.error("worker exited", {
      pid: worker.process.pid,
      code,
      signal,
      restartsLastMinute: restarts.length,
    });
    if (restarts.length > MAX_RESTARTS_PER_MINUTE) {
      logger.error("workers keep exiting; stopping");
      stop("restarts", 1);
      return;
    }
    setTimeout(() => {
      if (!stopping) fork();
    }, 1000).unref();
  });

  const stop = (reason: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    logger.info("stopping workers", { reason, workers: live().length });
    setTimeout(() => {
      const left = live();
      logger.error("workers still running at the deadline; killing them", { workers: left.length });
      for (const w of left) w.process.kill("SIGKILL");
      process.exit(1);
    }, PRIMARY_DEADLINE_MS).unref();
    for (const w of live()) if (w.isConnected()) w.send(SHUTDOWN_MESSAGE, undefined, () => undefined);
    let failed = false;
    const done = (_worker?: Worker, code?: number) => {
      if (code !== undefined && code !== 0) failed = true;
      if (live().length === 0) process.exit(failed ? 1 : exitCode);
    };
    cluster.on("exit", done);
    done();
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));

  logger.info("starting workers", { workers });
  for (let i = 0; i < workers; i++) fork();
}
