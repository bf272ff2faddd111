/** Where a cluster's postmaster is: serving, suspended (scale to zero), ended by stop(), or died on its own. */
export type ClusterState = "running" | "suspended" | "stopped" | "exited";

export interface ReplicationOptions {
  /**
   * Folder of the WAL archive (`archive/`) and the stored base backups (`backups/`). Omitted:
   * `<dataDir>.replication`, removed on stop() when the data directory is a temporary one.
   */
  dir?: string;
}

export interface LocalPostgresOptions {
  /** Data directory. Omitted: a fresh temporary directory, removed on stop (what tests want). */
  dataDir?: string;
  /** Port on 127.0.0.1. Omitted: a free port. */
  port?: number;
  /** Trade durability for speed (fsync off). Right for tests and throwaway dev data. */
  fast?: boolean;
  /** Receives PostgreSQL's own log lines. Default: dropped (they are kept for error messages). */
  onLog?: (line: string) => void;
  /**
   * As root only: where binaries and data go when the `postgres` OS user cannot reach them in place
   * (a checkout under a 0700 home). Default: $PG_LOCAL_RUNTIME_DIR, else /var/tmp/lakebase-orders-pg.
   */
  runtimeDir?: string;
  /**
   * Ready to be the primary of standbys and the parent of branches: WAL for replicas, a WAL archive
   * (point-in-time recovery reads it) and a replication role. Off by default.
   */
  replication?: boolean | ReplicationOptions;
}

/** What standbys and branches of a replication-ready cluster need from it. */
export interface ReplicationSource {
  /** The folder holding the archive and the stored base backups. */
  readonly dir: string;
  /** Every completed WAL segment, copied there by `archive_command`. */
  readonly archiveDir: string;
  /** Stored base backups, one folder and one manifest (`<id>.json`) each. */
  readonly backupsDir: string;
  /** A LOGIN REPLICATION role (not a superuser) that standbys stream as. */
  readonly user: string;
  readonly password: string;
}

export interface LocalPostgres {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** Where the cluster lives (under the runtime folder when the requested one was out of reach). */
  readonly dataDir: string;
  /** pid of the (latest) postmaster, to prove that stop leaves nothing behind. */
  readonly pid: number | undefined;
  readonly state: ClusterState;
  /** Present when the cluster archives its WAL and accepts standbys (see `replication`). */
  readonly replication: ReplicationSource | undefined;
  /** A connection URL for a database of this cluster (default `postgres`). */
  url(database?: string): string;
  createDatabase(name: string): Promise<void>;
  dropDatabase(name: string): Promise<void>;
  /**
   * Scale to zero: a fast shutdown (sessions end with 57P01, their state is lost) that keeps the data
   * directory and the port; until resume(), a connection to the port is refused with 57P03.
   * No-op when already suspended.
   */
  suspend(): Promise<void>;
  /** Starts the postmaster again on the same port and data directory. No-op when running. */
  resume(): Promise<void>;
  /** Stops the server; removes the data directory when it was a temporary one. Idempotent. */
  stop(): Promise<void>;
}
