// `pnpm lakebase-local`: the local Lakebase for `pnpm dev`. Prints one JSON line with the connection facts on
// stdout once ready; logs are JSON lines on stderr; SIGINT/SIGTERM stop everything it started.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { z } from "zod";
import { startLakebaseLocal } from "./lakebase-local.ts";
import type { ReadyLine } from "./ready-line.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

const { values } = parseArgs({
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
    flavor: { type: "string" },
    "suspend-after-ms": { type: "string" },
    "wake-delay-ms": { type: "string" },
    "replica-delay-ms": { type: "string" },
  },
  strict: true,
});

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

main().catch((error: unknown) => {
  log({ event: "failed", error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
