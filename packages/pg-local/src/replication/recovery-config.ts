import fs from "node:fs/promises";
import path from "node:path";
import { writeOwnedFile } from "../environment.ts";
import type { OsIds } from "../os-user.ts";

/** Settings that make a server a replica or a restore; a copy must not inherit its parent's. */
export const RECOVERY_SETTINGS = [
  "primary_conninfo",
  "primary_slot_name",
  "restore_command",
  "archive_cleanup_command",
  "recovery_end_command",
  "recovery_min_apply_delay",
  "recovery_target",
  "recovery_target_lsn",
  "recovery_target_time",
  "recovery_target_xid",
  "recovery_target_name",
  "recovery_target_inclusive",
  "recovery_target_action",
  "recovery_target_timeline",
] as const;
export type RecoverySetting = (typeof RECOVERY_SETTINGS)[number];

/**
 * Writes the recovery settings into the copy's postgresql.auto.conf (where ALTER SYSTEM can change them
 * later, and a restart finds them) and its signal file: `standby` keeps replaying, `recovery` replays to
 * a target and ends.
 */
export async function configureRecovery(
  dataDir: string,
  mode: "standby" | "recovery",
  settings: Partial<Record<RecoverySetting, string>>,
  ids: OsIds | undefined,
): Promise<void> {
  await setAutoConf(dataDir, settings, RECOVERY_SETTINGS, ids);
  await writeOwnedFile(path.join(dataDir, `${mode}.signal`), "", ids);
}

/**
 * Sets entries of postgresql.auto.conf in place (for a server that is not running: a running one takes
 * ALTER SYSTEM), first dropping every entry named in `replacing`.
 */
export async function setAutoConf(
  dataDir: string,
  settings: Partial<Record<RecoverySetting, string>>,
  replacing: readonly string[],
  ids: OsIds | undefined,
): Promise<void> {
  const file = path.join(dataDir, "postgresql.auto.conf");
  const text = await fs.readFile(file, "utf8").catch(() => "");
  const dropped = new Set([...replacing, ...Object.keys(settings)]);
  const kept = text.split("\n").filter((line) => {
    const name = /^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*=?/.exec(line)?.[1];
    return !(name && !line.trimStart().startsWith("#") && dropped.has(name.toLowerCase()));
  });
  while (kept.length > 0 && kept[kept.length - 1] === "") kept.pop();
  const added = Object.entries(settings).map(([name, value]) => `${name} = ${quote(value ?? "")}`);
  await writeOwnedFile(file, `${[...kept, ...added].join("\n")}\n`, ids);
}

/** A configuration-file string: single quotes, a quote doubled. */
function quote(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
