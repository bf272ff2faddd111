/**
 * Where a synced table lives, as the flavour that created it knows it. The pipelines never see an instance,
 * a project or a branch: only this handle (and the table's UC name, whose schema and table name it keeps in
 * Postgres).
 */
export interface SyncTarget {
  /**
   * A superuser connection string of the physical database that holds the table. Asked for per connection:
   * a compute that scaled to zero may have to wake first.
   */
  connectionString(): Promise<string>;
  /** The Postgres role of a Databricks identity on this database's cluster, created if missing. */
  ensureRole(identity: string): Promise<string>;
  /** Whether the identity may start or stop the table's pipeline updates (CAN_MANAGE on what holds it). */
  canManage(identity: string): boolean;
  /**
   * After a load that wrote the whole table (an initial snapshot, a full copy): much WAL, which a flavour
   * with history may want to cut short (an Autoscaling branch takes a stored backup if one is due, so that
   * a branch in the past replays little). Part of the update, before the table is synced; a failure only
   * logs.
   */
  afterLoad?(): Promise<void>;
}

/** `catalog.schema.table` -> the Postgres schema and table. */
export function postgresTableOf(name: string): { schema: string; table: string } {
  const [, schema, table] = name.split(".") as [string, string, string];
  return { schema, table };
}
