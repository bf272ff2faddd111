// `pnpm lakebase-local`: the local Lakebase for `pnpm dev`. Prints one JSON line with the connection facts on
// stdout once ready; logs are JSON lines on stderr; SIGINT/SIGTERM stop everything it started.
// `pnpm lakebase-local source insert|update|delete|head ...` changes the source of a running one instead.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { z } from "zod";
import { startLakebaseLocal } from "./lakebase-local.ts";
import type { ReadyLine } from "./ready-line.ts";
import { runSourceCli } from "./sync/source/cli.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

function parseServeArgs() {
  return parseArgs({
    options: {
      "token-ttl": { type: "string" },
      rows: { type: "string" },
      "data-dir": { type: "string" },
      "rest-port": { type: "string" },
      instance: { type: "string" },
      catalog: { type: "string" },
      database: { type: "string" },
      "no-seed": { type: "boolean" },
      "require-tls": { type: "boolean" },
      "sync-policy": { type: "string" },
      "continuous-interval-ms": { type: "string" },
      "sync-batch-rows": { type: "string" },
      "seed-creator": { type: "string" },
      flavor: { type: "string" },
      "suspend-after-ms": { type: "string" },
      "wake-delay-ms": { type: "string" },
      "replica-delay-ms": { type: "string" },
    },
    strict: true,
  }).values;
}

const count = (label: string) =>
  z.coerce
    .number({ error: `${label} must be a number` })
    .int(`${label} must be an integer`)
    .min(0, `${label} must be >= 0`);
const cliSchema = z.object({
  tokenTtl: count("--token-ttl").min(1, "--token-ttl must be >= 1").default(3600),
  rows: count("--rows").default(150_000),
  dataDir: z.string().default(path.join(repoRoot, ".data/lakebase-local")),
  restPort: count("--rest-port").max(65535).default(0),
  instance: z.string().default("orders-local"),
  catalog: z.string().default("orders_catalog"),
  database: z.string().default("orders"),
  seed: z.boolean(),
  requireTls: z.boolean(),
  syncPolicy: z
    .enum(["SNAPSHOT", "TRIGGERED", "CONTINUOUS"], {
      error: "--sync-policy must be SNAPSHOT, TRIGGERED or CONTINUOUS",
    })
    .default("SNAPSHOT"),
  continuousIntervalMs: count("--continuous-interval-ms")
    .min(10, "--continuous-interval-ms must be >= 10")
    .default(1000),
  syncBatchRows: count("--sync-batch-rows").min(1, "--sync-batch-rows must be >= 1").default(10_000),
  seedCreator: z.email({ error: "--seed-creator must be an email" }).optional(),
  flavor: z
    .enum(["autoscaling", "provisioned"], { error: "--flavor must be autoscaling or provisioned" })
    .default("autoscaling"),
  suspendAfterMs: count("--suspend-after-ms").min(1, "--suspend-after-ms must be >= 1").optional(),
  wakeDelayMs: count("--wake-delay-ms").max(60_000).optional(),
  replicaDelayMs: count("--replica-delay-ms").max(3_600_000).optional(),
});

function log(event: Record<string, unknown>): void {
  process.stderr.write(
    `${JSON.stringify({ time: new Date().toISOString(), component: "lakebase-local", ...event })}\n`,
  );
}

async function main(): Promise<void> {
  const values = parseServeArgs();
  const parsed = cliSchema.safeParse({
    tokenTtl: values["token-ttl"] ?? process.env.LAKEBASE_LOCAL_TOKEN_TTL,
    rows: values.rows,
    dataDir: values["data-dir"],
    restPort: values["rest-port"],
    instance: values.instance,
    catalog: values.catalog,
    database: values.database,
    seed: !values["no-seed"],
    requireTls: values["require-tls"] ?? false,
    syncPolicy: values["sync-policy"],
    continuousIntervalMs: values["continuous-interval-ms"],
    syncBatchRows: values["sync-batch-rows"],
    seedCreator: values["seed-creator"],
    flavor: values.flavor,
    suspendAfterMs: values["suspend-after-ms"],
    wakeDelayMs: values["wake-delay-ms"],
    replicaDelayMs: values["replica-delay-ms"],
  });
  if (!parsed.success) {
    log({ event: "bad_arguments", error: parsed.error.issues[0]?.message });
    process.exit(2);
  }
  const o = parsed.data;
  const started = Date.now();
  const local = await startLakebaseLocal({
    dataDir: path.resolve(o.dataDir),
    restPort: o.restPort,
    tokenTtlSeconds: o.tokenTtl,
    sourceRows: o.rows,
    syncBatchRows: o.syncBatchRows,
    timings: { continuousIntervalMs: o.continuousIntervalMs },
    requireTls: o.requireTls,
    flavor: o.flavor,
    ...(o.suspendAfterMs !== undefined ? { suspendAfterMs: o.suspendAfterMs } : {}),
    ...(o.wakeDelayMs !== undefined ? { wakeDelayMs: o.wakeDelayMs } : {}),
    ...(o.replicaDelayMs !== undefined ? { replicaDelayMs: o.replicaDelayMs } : {}),
    log,
    ...(o.seed
      ? {
          seed: {
            instanceName: o.instance,
            catalogName: o.catalog,
            databaseName: o.database,
            syncedTable: `${o.catalog}.public.orders_synced`,
            schedulingPolicy: o.syncPolicy,
            ...(o.seedCreator ? { syncedTableCreator: o.seedCreator } : {}),
          },
        }
      : {}),
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log({ event: "stopping", signal });
    local.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log({ event: "stop_failed", error: (error as Error).message });
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  log({ event: "started", ms: Date.now() - started });
  const ready: ReadyLine = {
    restUrl: local.restUrl,
    workspaceToken: local.workspaceToken,
    pgHost: local.pgHost,
    pgPort: local.pgPort ?? null,
    instanceName: local.instanceName ?? null,
    databaseName: local.databaseName ?? null,
    caFile: local.caFile,
    caPem: local.caPem,
    requireTls: local.requireTls,
    flavor: local.flavor,
    projectName: local.projectName ?? null,
    branchName: local.branchName ?? null,
    endpointName: local.endpointName ?? null,
    endpointPort: local.endpointPort ?? null,
  };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
}

if (process.argv[2] === "source") {
  const code = await runSourceCli(
    process.argv.slice(3),
    { DATABRICKS_HOST: process.env.DATABRICKS_HOST, DATABRICKS_TOKEN: process.env.DATABRICKS_TOKEN },
    {
      stdout: (line) => process.stdout.write(`${line}\n`),
      stderr: (line) => process.stderr.write(`${line}\n`),
    },
  );
  process.exit(code);
}

main().catch((error: unknown) => {
  log({ event: "failed", error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
