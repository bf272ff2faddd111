import fs from "node:fs/promises";
import { type ClusterSpec, LogTail } from "../cluster-handle.ts";
import { baseFlags, choosePort, claimDir, clusterEnvironment, placeDataDir } from "../environment.ts";
import { prepareReplicationHome, replicationFlags } from "./home.ts";
import type { CopyOptions } from "./types.ts";

/**
 * Everything a standby or branch needs before its data arrives: a port, an empty data directory the
 * server's OS user owns, and its own replication folder (it is a primary-to-be).
 */
export async function newCopy(options: CopyOptions): Promise<ClusterSpec> {
  const env = await clusterEnvironment(options.runtimeDir);
  const port = await choosePort(options.port);
  const { dataDir, temporary } = await placeDataDir(options.dataDir, env);
  const entries = await fs.readdir(dataDir).catch(() => [] as string[]);
  if (entries.length > 0) {
    throw new Error(
      `pg-local: data directory ${dataDir} is not empty; a standby or a branch starts in an empty one`,
    );
  }
  try {
    await claimDir(dataDir, env.ids);
    const home = await prepareReplicationHome(dataDir, temporary, options.replication ?? {}, env.ids);
    return {
      dataDir,
      temporary,
      port,
      ids: env.ids,
      binaries: env.binaries,
      flags: [...baseFlags(options.fast), ...replicationFlags(home)],
      log: new LogTail(options.onLog),
      home,
    };
  } catch (error) {
    if (temporary) await fs.rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
