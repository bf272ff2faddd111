import type { WorkspaceClient } from "@databricks/sdk-experimental";
import type { PrismaClient } from "@lakebase-orders/db";
import { createWorkspaceClient } from "@lakebase-orders/lakebase-auth";
import type { Logger } from "../log.ts";
import { createAuditWriter } from "./audit.ts";
import { type Env, type LakebaseConfig, loadLakebaseConfig } from "./config.ts";
import { LakebaseApi } from "./databricks.ts";
import { LakebaseService } from "./service.ts";

export { type LakebaseConfig, LakebaseConfigError, loadLakebaseConfig } from "./config.ts";
export { databricksErrorData } from "./errors.ts";
export { LakebaseService, type LakebaseStatus } from "./service.ts";

export interface LakebaseServiceDeps {
  env: Env;
  prisma: PrismaClient;
  logger: Logger;
  /** Built from the env (DATABRICKS_HOST, ...) when not given. */
  workspaceClient?: WorkspaceClient;
  config?: LakebaseConfig;
  pollIntervalMs?: number;
  statusCacheMs?: number;
  stepTimeoutMs?: number;
  /** E.g. apply the app_data migrations once the database exists (see LakebaseServiceOptions). */
  onProvisioned?: () => Promise<void>;
}

/** The service the server puts in its context: config validated now, so a bad variable fails start-up. */
export function createLakebaseService(deps: LakebaseServiceDeps): LakebaseService {
  const config = deps.config ?? loadLakebaseConfig(deps.env);
  const api = config.configured
    ? new LakebaseApi(deps.workspaceClient ?? createWorkspaceClient(deps.env))
    : null;
  const audit = createAuditWriter(deps.prisma, deps.logger);
  return new LakebaseService({
    config,
    api,
    logger: deps.logger,
    ...(deps.pollIntervalMs !== undefined ? { pollIntervalMs: deps.pollIntervalMs } : {}),
    ...(deps.statusCacheMs !== undefined ? { statusCacheMs: deps.statusCacheMs } : {}),
    ...(deps.stepTimeoutMs !== undefined ? { stepTimeoutMs: deps.stepTimeoutMs } : {}),
    ...(deps.onProvisioned ? { onProvisioned: deps.onProvisioned } : {}),
    // The create's outcome arrives minutes after its request: it gets its own audit row.
    onOperationFinished: (op, detail) =>
      audit({
        actor: op.actor,
        action: `lakebase.${op.kind}.finished`,
        outcome: op.outcome === "succeeded" ? "succeeded" : "failed",
        detail: { operation: op, result: detail },
      }),
  });
}
