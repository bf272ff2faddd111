// Run by bus.test.ts as a cluster of one worker: the primary cuts its worker's IPC channel, and the worker
// publishes on the bus afterwards (what an in-flight status change does while a worker shuts down because
// its primary went away). The primary prints the worker's exit code.
import cluster from "node:cluster";
import { createChangeBus } from "./bus.ts";

if (cluster.isPrimary) {
  const worker = cluster.fork();
  worker.on("message", (message: unknown) => {
    if (message === "subscribed") worker.disconnect();
  });
  worker.on("exit", (code) => {
    process.stdout.write(`${JSON.stringify({ workerExitCode: code })}\n`);
    process.exit(0);
  });
} else {
  const bus = createChangeBus();
  bus.subscribe("orders.changed", () => undefined);
  process.on("disconnect", () => {
    bus.publish("orders.changed");
    setTimeout(() => process.exit(0), 200);
  });
  process.send?.("subscribed");
}
