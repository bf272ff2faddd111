import { randomUUID } from "node:crypto";
import pg from "pg";
import { alreadyExists, invalidParameter, invalidState, LakebaseApiError, notFound } from "./api-error.ts";
import type { Cluster } from "./cluster.ts";
import type { Faults } from "./faults.ts";
import type {
  Admission,
  FrontDoor,
  FrontDoorCounters,
  FrontDoorEvent,
  FrontDoorLogin,
} from "./front-door/index.ts";
import { startFrontDoor } from "./front-door/index.ts";
import { DEFAULT_DATABASE, INSTANCE_NAME, PG_DATABASE_NAME, physicalDatabaseName, UC_NAME } from "./names.ts";
import { runSnapshotPipeline } from "./pipeline.ts";
import type { CatalogInput, InstanceInput, SyncedTableInput } from "./schemas.ts";
import { capacitySchema, instancePatchSchema, UPDATABLE_INSTANCE_FIELDS } from "./schemas.ts";
import type { CatalogRecord, InstanceRecord, LocalState, StateFile, SyncedTableRecord } from "./state.ts";
import type { TokenStore } from "./tokens.ts";

export interface Timings {
  /** STARTING -> AVAILABLE (create, start, resize). */
  instanceStartMs: number;
  /** DELETING -> gone. */
  instanceDeleteMs: number;
  /** Pause between synced-table pipeline phases. */
  pipelineStepMs: number;
}

export type LogEvent = Record<string, unknown> & { event: string };

export interface ServiceDeps {
  cluster: Cluster;
  state: LocalState;
  stateFile?: StateFile;
  tokens: TokenStore;
  faults: Faults;
  timings: Timings;
  sourceRows: number;
  tokenTtlSeconds: number;
  /** Keep physical databases on stop (a dataDir was given). */
  persistent: boolean;
  log: (event: LogEvent) => void;
}

export const SOURCE_TABLE = "samples.tpch.orders";
export const SOURCE_COLUMNS = [
  "o_orderkey",
  "o_custkey",
  "o_orderstatus",
  "o_totalprice",
  "o_orderdate",
  "o_orderpriority",
  "o_clerk",
  "o_shippriority",
  "o_comment",
] as const;

const PAGE_SIZE_DEFAULT = 50;
const PAGE_SIZE_MAX = 100;

/** The emulated Lakebase resources, their state machines, and the login decision of every front door. */
export class LakebaseService {
  readonly #d: ServiceDeps;
  readonly #frontDoors = new Map<string, FrontDoor>();
  readonly #portToName = new Map<number, string>();
  /** Bumped on every transition, so a stale timer of an earlier transition does nothing. */
  readonly #generation = new Map<string, number>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #pipelines = new Map<string, { controller: AbortController; done: Promise<void> }>();
  readonly #background = new Set<Promise<unknown>>();
  #stopped = false;

  constructor(deps: ServiceDeps) {
    this.#d = deps;
  }

  get state(): LocalState {
    return this.#d.state;
  }

  // ---------------------------------------------------------------- instances

  async createInstance(input: InstanceInput, creator: string, options: { available?: boolean } = {}) {
    const { state } = this.#d;
    if (!INSTANCE_NAME.test(input.name)) {
      throw invalidParameter(
        `Invalid database instance name '${input.name}': use 1 to 63 lowercase letters, digits or hyphens, starting with a letter.`,
      );
    }
    if (state.instances[input.name]) throw alreadyExists(`Database instance '${input.name}' already exists.`);
    const record: InstanceRecord = {
      name: input.name,
      uid: randomUUID(),
      capacity: input.capacity ?? "CU_1",
      state: input.stopped ? "STOPPED" : "STARTING",
      stopped: input.stopped ?? false,
      node_count: input.node_count ?? 1,
      enable_readable_secondaries: input.enable_readable_secondaries ?? false,
      retention_window_in_days: input.retention_window_in_days ?? 7,
      custom_tags: input.custom_tags ?? [],
      creator,
      creation_time: new Date().toISOString(),
      databases: [DEFAULT_DATABASE],
    };
    state.instances[record.name] = record;
    try {
      await this.#ensureFrontDoor(record.name);
    } catch (error) {
      delete state.instances[record.name];
      throw error;
    }
    this.#bump(record.name);
    if (options.available) {
      await this.#d.cluster.createDatabase(this.#physical(record.name, DEFAULT_DATABASE));
      record.state = "AVAILABLE";
    } else if (!record.stopped) {
      this.#startInstance(record.name);
    } else {
      await this.#d.cluster.createDatabase(this.#physical(record.name, DEFAULT_DATABASE));
    }
    await this.#save();
    this.#d.log({ event: "instance_created", instance: record.name, state: record.state });
    return this.instanceJson(record);
  }

  getInstance(name: string) {
    return this.instanceJson(this.#instance(name));
  }

  listInstances(pageSize: string | undefined, pageToken: string | undefined) {
    const size = pageSize === undefined ? PAGE_SIZE_DEFAULT : Number(pageSize);
    if (!Number.isInteger(size) || size < 0) throw invalidParameter(`Invalid page_size '${pageSize}'.`);
    const limit = size === 0 ? PAGE_SIZE_DEFAULT : Math.min(size, PAGE_SIZE_MAX);
    let after = "";
    if (pageToken) {
      try {
        const parsed = JSON.parse(Buffer.from(pageToken, "base64url").toString("utf8")) as {
          after?: unknown;
        };
        if (typeof parsed.after !== "string") throw new Error("bad token");
        after = parsed.after;
      } catch {
        throw invalidParameter(`Invalid page_token '${pageToken}'.`);
      }
    }
    const names = Object.keys(this.#d.state.instances)
      .sort()
      .filter((n) => n > after);
    const page = names.slice(0, limit);
    const last = page.at(-1);
    const next =
      names.length > limit && last
        ? Buffer.from(JSON.stringify({ after: last })).toString("base64url")
        : undefined;
    return {
      database_instances: page.map((n) => this.instanceJson(this.#instance(n))),
      ...(next ? { next_page_token: next } : {}),
    };
  }

  async updateInstance(name: string, updateMask: string | undefined, body: unknown) {
    const record = this.#instance(name);
    if (!updateMask) throw invalidParameter("update_mask is required.");
    const fields =
      updateMask === "*" ? [...UPDATABLE_INSTANCE_FIELDS] : updateMask.split(",").map((f) => f.trim());
    for (const field of fields) {
      if (!(UPDATABLE_INSTANCE_FIELDS as readonly string[]).includes(field)) {
        throw invalidParameter(`Field '${field}' in update_mask cannot be updated.`);
      }
    }
    const parsed = instancePatchSchema.safeParse(body ?? {});
    if (!parsed.success) throw invalidParameter(parsed.error.issues[0]?.message ?? "invalid body");
    const patch = parsed.data;
    if (record.state === "DELETING") throw invalidState(`Database instance '${name}' is being deleted.`);
    if (patch.name !== undefined && patch.name !== name) throw invalidParameter("name cannot be changed.");

    if (fields.includes("capacity")) {
      const capacity = capacitySchema.safeParse(patch.capacity);
      if (!capacity.success) {
        throw invalidParameter(
          `Invalid capacity '${patch.capacity ?? ""}': expected one of CU_1, CU_2, CU_4, CU_8.`,
        );
      }
      if (capacity.data !== record.capacity) {
        record.capacity = capacity.data;
        if (record.state === "AVAILABLE") {
          // A resize is an UPDATING phase on the service; connections stay up.
          record.state = "UPDATING";
          this.#after(name, this.#d.timings.instanceStartMs, () => {
            if (record.state === "UPDATING") record.state = "AVAILABLE";
          });
        }
      }
    }
    if (fields.includes("node_count") && patch.node_count !== undefined) record.node_count = patch.node_count;
    if (fields.includes("retention_window_in_days") && patch.retention_window_in_days !== undefined) {
      record.retention_window_in_days = patch.retention_window_in_days;
    }
    if (fields.includes("enable_readable_secondaries")) {
      record.enable_readable_secondaries = patch.enable_readable_secondaries ?? false;
    }
    if (fields.includes("custom_tags")) record.custom_tags = patch.custom_tags ?? [];
    if (fields.includes("stopped")) {
      // A field named in the mask but absent from the body takes its default, as with any field mask.
      const stop = patch.stopped ?? false;
      if (stop && record.state !== "STOPPED") {
        record.stopped = true;
        record.state = "STOPPED";
        this.#bump(name);
        this.#frontDoors.get(name)?.closeConnections();
        this.#d.log({ event: "instance_stopped", instance: name });
      } else if (!stop && record.state === "STOPPED") {
        record.stopped = false;
        this.#startInstance(name);
        this.#d.log({ event: "instance_starting", instance: name });
      }
    }
    await this.#save();
    return this.instanceJson(record);
  }

  async deleteInstance(name: string, purge: string | undefined) {
    if (purge !== undefined && purge !== "true") {
      throw invalidParameter(
        "purge=false is not supported: database instances can only be hard deleted (purge=true).",
      );
    }
    const record = this.#instance(name);
    if (record.state === "DELETING") return {};
    record.state = "DELETING";
    this.#bump(name);
    this.#frontDoors.get(name)?.closeConnections();
    for (const table of Object.values(this.#d.state.syncedTables)) {
      if (table.database_instance_name === name) await this.#cancelPipeline(table.name);
    }
    await this.#save();
    this.#after(name, this.#d.timings.instanceDeleteMs, async () => {
      await this.#dropInstance(record);
    });
    this.#d.log({ event: "instance_deleting", instance: name });
    return {};
  }

  instanceJson(record: InstanceRecord) {
    const port = this.#d.state.ports[record.name];
    return {
      name: record.name,
      uid: record.uid,
      capacity: record.capacity,
      effective_capacity: record.capacity,
      state: record.state,
      stopped: record.stopped,
      effective_stopped: record.stopped,
      node_count: record.node_count,
      effective_node_count: record.node_count,
      enable_readable_secondaries: record.enable_readable_secondaries,
      effective_enable_readable_secondaries: record.enable_readable_secondaries,
      retention_window_in_days: record.retention_window_in_days,
      effective_retention_window_in_days: record.retention_window_in_days,
      custom_tags: record.custom_tags,
      effective_custom_tags: record.custom_tags,
      effective_enable_pg_native_login: false,
      pg_version: "PG_VERSION_16",
      read_write_dns: "127.0.0.1",
      ...(record.enable_readable_secondaries ? { read_only_dns: "127.0.0.1" } : {}),
      creator: record.creator,
      creation_time: record.creation_time,
      // Not in the real API (Lakebase always listens on 5432): the front-door port of this instance.
      x_local_pg_port: port,
    };
  }

  // ---------------------------------------------------------------- credentials

  generateCredential(identity: string, instanceNames: string[]) {
    for (const name of instanceNames) {
      const record = this.#instance(name);
      if (record.state === "DELETING") throw invalidState(`Database instance '${name}' is being deleted.`);
    }
    const { token, expiresAt } = this.#d.tokens.issue(
      { identity, kind: "database", instances: [...new Set(instanceNames)] },
      this.#d.tokenTtlSeconds,
      "lbl_db_",
    );
    return { token, expiration_time: new Date(expiresAt).toISOString() };
  }

  /**
   * Autoscaling credentials. The endpoint `projects/<project>/branches/<branch>/endpoints/<endpoint>` maps to
   * the instance named `<endpoint>` (project and branch are not modelled); a bare name is taken as the
   * instance name.
   */
  generatePostgresCredential(identity: string, endpoint: string) {
    const match = /^projects\/[^/]+\/branches\/[^/]+\/endpoints\/([^/]+)$/.exec(endpoint);
    const name = match?.[1] ?? endpoint;
    if (name.includes("/")) throw invalidParameter(`Invalid endpoint '${endpoint}'.`);
    const { token, expiration_time } = this.generateCredential(identity, [name]);
    return { token, expire_time: expiration_time };
  }

  // ---------------------------------------------------------------- catalogs

  async createCatalog(input: CatalogInput) {
    const { state, cluster } = this.#d;
    if (!UC_NAME.test(input.name)) throw invalidParameter(`Invalid catalog name '${input.name}'.`);
    if (!PG_DATABASE_NAME.test(input.database_name)) {
      throw invalidParameter(`Invalid database name '${input.database_name}'.`);
    }
    if (state.catalogs[input.name]) throw alreadyExists(`Catalog '${input.name}' already exists.`);
    const instance = this.#instance(input.database_instance_name);
    if (instance.state !== "AVAILABLE") {
      throw invalidState(`Database instance '${instance.name}' is not AVAILABLE (state ${instance.state}).`);
    }
    if (!instance.databases.includes(input.database_name)) {
      if (!input.create_database_if_not_exists) {
        throw notFound(
          `Database '${input.database_name}' does not exist in instance '${instance.name}'; set create_database_if_not_exists to create it.`,
        );
      }
      await cluster.createDatabase(this.#physical(instance.name, input.database_name));
      if (!instance.databases.includes(input.database_name)) instance.databases.push(input.database_name);
    }
    if (state.catalogs[input.name]) throw alreadyExists(`Catalog '${input.name}' already exists.`);
    const record: CatalogRecord = {
      name: input.name,
      uid: randomUUID(),
      database_instance_name: instance.name,
      database_name: input.database_name,
      create_database_if_not_exists: input.create_database_if_not_exists ?? false,
    };
    state.catalogs[record.name] = record;
    await this.#save();
    return { ...record };
  }

  getCatalog(name: string) {
    const record = this.#d.state.catalogs[name];
    if (!record) throw notFound(`Catalog '${name}' does not exist.`);
    return { ...record };
  }

  async deleteCatalog(name: string) {
    if (!this.#d.state.catalogs[name]) throw notFound(`Catalog '${name}' does not exist.`);
    // Deleting the catalog unregisters it; the Postgres database and its data stay, as on the service.
    delete this.#d.state.catalogs[name];
    await this.#save();
    return {};
  }

  // ---------------------------------------------------------------- synced tables

  async createSyncedTable(input: SyncedTableInput, rows = this.#d.sourceRows) {
    const { state, cluster } = this.#d;
    const parts = input.name.split(".");
    if (parts.length !== 3 || !parts.every((p) => UC_NAME.test(p))) {
      throw invalidParameter(`Invalid synced table name '${input.name}': expected catalog.schema.table.`);
    }
    const [catalogName, schema, table] = parts as [string, string, string];
    if (state.syncedTables[input.name]) throw alreadyExists(`Synced table '${input.name}' already exists.`);

    const catalog = state.catalogs[catalogName];
    let instanceName = input.database_instance_name;
    let database = input.logical_database_name;
    if (catalog) {
      if (instanceName && instanceName !== catalog.database_instance_name) {
        throw invalidParameter(
          `database_instance_name '${instanceName}' does not match catalog '${catalogName}' (instance '${catalog.database_instance_name}').`,
        );
      }
      if (database && database !== catalog.database_name) {
        throw invalidParameter(
          `logical_database_name '${database}' does not match catalog '${catalogName}' (database '${catalog.database_name}').`,
        );
      }
      instanceName = catalog.database_instance_name;
      database = catalog.database_name;
    } else if (!instanceName || !database) {
      throw notFound(
        `Catalog '${catalogName}' does not exist; give database_instance_name and logical_database_name for a synced table in a standard catalog.`,
      );
    }

    const spec = input.spec;
    if (spec.source_table_full_name.toLowerCase() !== SOURCE_TABLE) {
      throw notFound(
        `Table '${spec.source_table_full_name}' does not exist (the one known source is ${SOURCE_TABLE}).`,
      );
    }
    const columns: readonly string[] = SOURCE_COLUMNS;
    for (const column of spec.primary_key_columns) {
      if (!columns.includes(column)) {
        throw invalidParameter(`Primary key column '${column}' does not exist in ${SOURCE_TABLE}.`);
      }
    }
    if (spec.timeseries_key !== undefined && !columns.includes(spec.timeseries_key)) {
      throw invalidParameter(`Timeseries key '${spec.timeseries_key}' does not exist in ${SOURCE_TABLE}.`);
    }
    if (spec.existing_pipeline_id) {
      const known = Object.values(state.syncedTables).some(
        (t) => t.data_synchronization_status.pipeline_id === spec.existing_pipeline_id,
      );
      if (!known) throw invalidParameter(`Pipeline '${spec.existing_pipeline_id}' does not exist.`);
    } else if (!spec.new_pipeline_spec?.storage_catalog || !spec.new_pipeline_spec.storage_schema) {
      throw invalidParameter(
        "spec.new_pipeline_spec.storage_catalog and storage_schema are required when no existing_pipeline_id is given.",
      );
    }

    const instance = this.#instance(instanceName);
    if (instance.state !== "AVAILABLE") {
      throw invalidState(`Database instance '${instance.name}' is not AVAILABLE (state ${instance.state}).`);
    }
    for (const other of Object.values(state.syncedTables)) {
      if (
        other.database_instance_name === instance.name &&
        other.logical_database_name === database &&
        other.name.split(".").slice(1).join(".") === `${schema}.${table}`
      ) {
        throw alreadyExists(
          `Table ${schema}.${table} in database '${database}' is already the target of '${other.name}'.`,
        );
      }
    }
    if (!instance.databases.includes(database)) {
      if (!spec.create_database_objects_if_missing) {
        throw notFound(`Database '${database}' does not exist in instance '${instance.name}'.`);
      }
      await cluster.createDatabase(this.#physical(instance.name, database));
      if (!instance.databases.includes(database)) instance.databases.push(database);
    }
    if (state.syncedTables[input.name]) throw alreadyExists(`Synced table '${input.name}' already exists.`);

    const record: SyncedTableRecord = {
      name: input.name,
      database_instance_name: instance.name,
      logical_database_name: database,
      spec: {
        source_table_full_name: spec.source_table_full_name,
        primary_key_columns: spec.primary_key_columns,
        scheduling_policy: spec.scheduling_policy,
        ...(spec.timeseries_key !== undefined ? { timeseries_key: spec.timeseries_key } : {}),
        ...(spec.create_database_objects_if_missing !== undefined
          ? { create_database_objects_if_missing: spec.create_database_objects_if_missing }
          : {}),
        ...(spec.existing_pipeline_id ? { existing_pipeline_id: spec.existing_pipeline_id } : {}),
        ...(spec.new_pipeline_spec
          ? {
              new_pipeline_spec: {
                storage_catalog: spec.new_pipeline_spec.storage_catalog,
                storage_schema: spec.new_pipeline_spec.storage_schema,
              },
            }
          : {}),
      },
      unity_catalog_provisioning_state: "PROVISIONING",
      data_synchronization_status: {
        detailed_state: "SYNCED_TABLE_PROVISIONING",
        message: "Synced table is being provisioned.",
        pipeline_id: spec.existing_pipeline_id ?? randomUUID(),
      },
    };
    state.syncedTables[record.name] = record;
    await this.#save();
    this.#startPipeline(record, rows);
    return this.syncedTableJson(record);
  }

  getSyncedTable(name: string) {
    const record = this.#d.state.syncedTables[name];
    if (!record) throw notFound(`Synced table '${name}' does not exist.`);
    return this.syncedTableJson(record);
  }

  async deleteSyncedTable(name: string, purgeData: boolean) {
    const record = this.#d.state.syncedTables[name];
    if (!record) throw notFound(`Synced table '${name}' does not exist.`);
    await this.#cancelPipeline(name);
    delete this.#d.state.syncedTables[name];
    if (purgeData) {
      const instance = this.#d.state.instances[record.database_instance_name];
      const [, schema, table] = name.split(".") as [string, string, string];
      if (instance && instance.state !== "DELETING") {
        await this.#d.cluster.withClient(this.#physical(instance.name, record.logical_database_name), (c) =>
          c.query(`DROP TABLE IF EXISTS ${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)}`),
        );
      }
    }
    await this.#save();
    this.#d.log({ event: "synced_table_deleted", name, purgeData });
    return {};
  }

  /** Resolves when the synced table's pipeline has finished (or at once when none runs). */
  async waitForPipeline(name: string): Promise<void> {
    await this.#pipelines.get(name)?.done;
  }

  syncedTableJson(record: SyncedTableRecord) {
    return {
      ...structuredClone(record),
      effective_database_instance_name: record.database_instance_name,
      effective_logical_database_name: record.logical_database_name,
    };
  }

  // ---------------------------------------------------------------- front door

  /** The login decision for every front door: token, instance state, database, then the role upstream. */
  async admit(login: FrontDoorLogin): Promise<Admission> {
    const name = this.#portToName.get(login.port);
    const record = name ? this.#d.state.instances[name] : undefined;
    if (!name || !record) {
      return {
        ok: false,
        sqlState: "08004",
        message: `database instance "${name ?? login.port}" does not exist`,
        reason: "instance_deleted",
      };
    }
    if (record.state === "STOPPED" || record.state === "DELETING" || record.state === "STARTING") {
      const what =
        record.state === "STOPPED"
          ? "is stopped"
          : record.state === "DELETING"
            ? "is being deleted"
            : "is starting";
      return {
        ok: false,
        sqlState: "57P03",
        message: `database instance "${name}" ${what}`,
        reason: `instance_${record.state.toLowerCase()}`,
      };
    }
    const check = this.#d.tokens.checkLogin(login.password, login.user, name);
    if (!check.ok) {
      return {
        ok: false,
        sqlState: "28P01",
        message: `password authentication failed for user "${login.user}"`,
        reason: check.reason,
      };
    }
    if (!record.databases.includes(login.database)) {
      return {
        ok: false,
        sqlState: "3D000",
        message: `database "${login.database}" does not exist`,
        reason: "unknown_database",
      };
    }
    const database = this.#physical(name, login.database);
    try {
      const password = await this.#d.cluster.ensureLoginRole(login.user);
      await this.#d.cluster.grantDatabase(login.user, database);
      return {
        ok: true,
        upstream: {
          host: this.#d.cluster.host,
          port: this.#d.cluster.port,
          database,
          user: login.user,
          password,
        },
      };
    } catch (error) {
      this.#d.log({ event: "role_error", user: login.user, error: (error as Error).message });
      return {
        ok: false,
        sqlState: "28000",
        message: `role "${login.user}" cannot be used on this instance`,
        reason: "role_error",
      };
    }
  }

  frontDoorPort(name: string): number | undefined {
    return this.#d.state.ports[name];
  }

  frontDoorCounters(): Record<string, FrontDoorCounters> {
    const out: Record<string, FrontDoorCounters> = {};
    for (const [name, door] of this.#frontDoors) {
      out[name] = { ...door.counters, refused: { ...door.counters.refused } };
    }
    return out;
  }

  // ---------------------------------------------------------------- lifecycle

  /** After loading persisted state: reopen front doors and resume what was in flight. */
  async restore(): Promise<void> {
    const { state } = this.#d;
    for (const record of Object.values(state.instances)) {
      await this.#ensureFrontDoor(record.name);
      this.#bump(record.name);
      if (record.state === "DELETING") {
        this.#after(record.name, 0, () => this.#dropInstance(record));
      } else if (record.state === "STARTING" || record.state === "UPDATING") {
        this.#startInstance(record.name);
      } else {
        // Physical databases survive in the kept cluster; re-create any that went missing.
        for (const db of record.databases)
          await this.#d.cluster.createDatabase(this.#physical(record.name, db));
      }
    }
    for (const table of Object.values(state.syncedTables)) {
      if (table.data_synchronization_status.detailed_state.startsWith("SYNCED_TABLE_PROVISIONING")) {
        // An interrupted initial snapshot starts over.
        this.#startPipeline(table);
      }
    }
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const name of [...this.#pipelines.keys()]) await this.#cancelPipeline(name);
    await Promise.allSettled([...this.#background]);
    await Promise.allSettled([...this.#frontDoors.values()].map((door) => door.close()));
    this.#frontDoors.clear();
    if (this.#d.persistent) {
      await this.#d.stateFile?.save(this.#d.state);
    } else {
      await this.#dropAllPhysical();
    }
  }

  // ---------------------------------------------------------------- internals

  #instance(name: string): InstanceRecord {
    const record = this.#d.state.instances[name];
    if (!record) throw notFound(`Database instance '${name}' does not exist.`);
    return record;
  }

  #physical(instance: string, database: string): string {
    return physicalDatabaseName(this.#d.state.localId, instance, database);
  }

  #bump(name: string): number {
    const next = (this.#generation.get(name) ?? 0) + 1;
    this.#generation.set(name, next);
    return next;
  }

  /** Runs `fn` after `ms` unless the instance moved on to another transition meanwhile. */
  #after(name: string, ms: number, fn: () => void | Promise<void>): void {
    const generation = this.#generation.get(name);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#stopped || this.#generation.get(name) !== generation) return;
      this.#track(
        Promise.resolve()
          .then(fn)
          .then(() => this.#save()),
      );
    }, ms);
    this.#timers.add(timer);
  }

  #track(work: Promise<unknown>): void {
    const tracked = work.catch((error: unknown) => {
      this.#d.log({ event: "background_error", error: (error as Error).message });
    });
    this.#background.add(tracked);
    void tracked.finally(() => this.#background.delete(tracked));
  }

  /** STARTING until both the timer and the physical databases are done, then AVAILABLE. */
  #startInstance(name: string): void {
    const record = this.#instance(name);
    record.state = "STARTING";
    const generation = this.#bump(name);
    const databases = Promise.all(
      record.databases.map((db) => this.#d.cluster.createDatabase(this.#physical(name, db))),
    );
    this.#track(databases);
    this.#after(name, this.#d.timings.instanceStartMs, async () => {
      await databases;
      if (this.#generation.get(name) === generation && record.state === "STARTING") {
        record.state = "AVAILABLE";
        this.#d.log({ event: "instance_available", instance: name });
      }
    });
  }

  async #dropInstance(record: InstanceRecord): Promise<void> {
    const { state, cluster } = this.#d;
    for (const db of record.databases) await cluster.dropDatabase(this.#physical(record.name, db));
    for (const catalog of Object.values(state.catalogs)) {
      if (catalog.database_instance_name === record.name) delete state.catalogs[catalog.name];
    }
    for (const table of Object.values(state.syncedTables)) {
      if (table.database_instance_name === record.name) delete state.syncedTables[table.name];
    }
    if (state.instances[record.name] === record) delete state.instances[record.name];
    this.#d.log({ event: "instance_deleted", instance: record.name });
  }

  // The front door outlives its instance (it refuses logins while none exists), so a recreated instance of
  // the same name is reachable on the same port for the life of this LakebaseLocal.
  async #ensureFrontDoor(name: string): Promise<void> {
    if (this.#frontDoors.has(name)) return;
    const { state } = this.#d;
    const wanted = state.ports[name] ?? 0;
    const admit = (login: FrontDoorLogin) => this.admit(login);
    const log = (event: FrontDoorEvent) =>
      this.#d.log({ ...event, instance: name, event: `front_door_${event.event}` });
    let door: FrontDoor;
    try {
      door = await startFrontDoor({ port: wanted, admit, log });
    } catch (error) {
      if (wanted === 0) throw error;
      this.#d.log({ event: "front_door_port_taken", instance: name, port: wanted });
      door = await startFrontDoor({ port: 0, admit, log });
    }
    this.#frontDoors.set(name, door);
    this.#portToName.set(door.port, name);
    state.ports[name] = door.port;
  }

  #startPipeline(record: SyncedTableRecord, rows = this.#d.sourceRows): void {
    const controller = new AbortController();
    const status = record.data_synchronization_status;
    const [, schema, table] = record.name.split(".") as [string, string, string];
    const startedAt = new Date().toISOString();
    const injectedFailure = this.#d.faults.takePipelineFailure();
    const done = runSnapshotPipeline({
      cluster: this.#d.cluster,
      database: this.#physical(record.database_instance_name, record.logical_database_name),
      schema,
      table,
      rows,
      timings: { stepMs: this.#d.timings.pipelineStepMs },
      ...(injectedFailure !== undefined ? { injectedFailure } : {}),
      signal: controller.signal,
      onPhase: (phase) => {
        status.detailed_state = `SYNCED_TABLE_${phase}`;
        status.message =
          phase === "PROVISIONING_INITIAL_SNAPSHOT"
            ? "Synced table is loading its initial snapshot."
            : "Pipeline resources are being provisioned.";
      },
      onProgress: (progress) => {
        status.provisioning_status = { initial_pipeline_sync_progress: progress };
      },
    }).then(
      async () => {
        status.detailed_state = "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE";
        status.message = "Synced table is online; no pending updates.";
        status.last_sync = { sync_start_timestamp: startedAt, sync_end_timestamp: new Date().toISOString() };
        record.unity_catalog_provisioning_state = "ACTIVE";
        this.#d.log({ event: "synced_table_online", name: record.name, rows });
        await this.#save();
      },
      async (error: unknown) => {
        if (controller.signal.aborted) return;
        const message = error instanceof Error ? error.message : String(error);
        status.detailed_state = "SYNCED_TABLE_OFFLINE_FAILED";
        status.message = `Pipeline ${status.pipeline_id} failed: ${message}`;
        status.failed_status = { timestamp: new Date().toISOString() };
        record.unity_catalog_provisioning_state = "FAILED";
        this.#d.log({ event: "synced_table_failed", name: record.name, error: message });
        await this.#save();
      },
    );
    const entry = { controller, done };
    this.#pipelines.set(record.name, entry);
    void done.finally(() => {
      if (this.#pipelines.get(record.name) === entry) this.#pipelines.delete(record.name);
    });
  }

  async #cancelPipeline(name: string): Promise<void> {
    const running = this.#pipelines.get(name);
    if (!running) return;
    running.controller.abort(new Error("synced table deleted"));
    await running.done;
  }

  async #dropAllPhysical(): Promise<void> {
    const prefix = `lb_${this.#d.state.localId}_`;
    const names = await this.#d.cluster.withClient("postgres", async (c) => {
      const r = await c.query<{ datname: string }>(
        "SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
        [prefix],
      );
      return r.rows.map((row) => row.datname);
    });
    for (const name of names) await this.#d.cluster.dropDatabase(name);
  }

  async #save(): Promise<void> {
    if (this.#stopped && !this.#d.persistent) return;
    await this.#d.stateFile?.save(this.#d.state);
  }
}

export { LakebaseApiError };
