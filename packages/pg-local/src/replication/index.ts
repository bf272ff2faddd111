export { listBaseBackups, removeBaseBackup, takeBaseBackup } from "./backup-catalog.ts";
export { createBranch } from "./branch.ts";
export { backupIfDue, DEFAULT_MAX_WAL_BYTES, historyWindow, pruneHistory } from "./history.ts";
export { compareLsn, isLsn, type Lsn, parseLsn, walBytesBetween } from "./lsn.ts";
export { REPLICATION_USER } from "./role.ts";
export { startStandby } from "./standby.ts";
export type {
  BackupPolicy,
  BaseBackup,
  Branch,
  BranchOptions,
  CopyOptions,
  HistoryWindow,
  ReplicationLag,
  Standby,
  StandbyOptions,
} from "./types.ts";
