import { randomUUID } from "node:crypto";
import { alreadyExists, invalidParameter, invalidState } from "../api-error.ts";
import { INSTANCE_HOST, READ_ONLY_HOST } from "../compute/addresses.ts";
import type { FrontDoors } from "../compute/front-doors.ts";
import type { Permissions } from "../identity/permissions.ts";
import type { ServiceContext } from "../state/context.ts";
import type { InstanceRecord } from "../state/records.ts";
import { DEFAULT_DATABASE, INSTANCE_NAME } from "./names.ts";
import { page } from "./paging.ts";
import type { InstanceInput } from "./schemas.ts";
import { capacitySchema, instancePatchSchema, UPDATABLE_INSTANCE_FIELDS } from "./schemas.ts";
import type { Transitions } from "./transitions.ts";

/**
 * The `database/instances` resource: create, read, list, update (stop/start/resize), delete. Any identity
 * may create and read; updates and deletes need CAN_MANAGE on the instance.
 */
export class Instances {
  readonly #ctx: ServiceContext;
  readonly #frontDoors: FrontDoors;
  readonly #transitions: Transitions;
  readonly #permissions: Permissions;
  /** Opens the read-only front door of an instance with readable secondaries (when it can have one). */
  readonly #readOnlyDoor: (name: string) => Promise<void>;

  constructor(
    ctx: ServiceContext,
    frontDoors: FrontDoors,
    transitions: Transitions,
    permissions: Permissions,
    readOnlyDoor: (name: string) => Promise<void>,
  ) {
    this.#ctx = ctx;
    this.#frontDoors = frontDoors;
    this.#transitions = transitions;
    this.#permissions = permissions;
    this.#readOnlyDoor = readOnlyDoor;
  }

  async create(input: InstanceInput, creator: string, options: { available?: boolean } = {}) {
    const { state, cluster } = this.#ctx;
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
      acl: this.#permissions.initial(creator),
    };
    state.instances[record.name] = record;
    try {
      await this.#frontDoors.ensure(record.name);
      if (record.enable_readable_secondaries) await this.#readOnlyDoor(record.name);
    } catch (error) {
      delete state.instances[record.name];
      throw error;
    }
    this.#transitions.bump(record.name);
    if (options.available) {
      await cluster.createDatabase(this.#ctx.physical(record.name, DEFAULT_DATABASE));
      record.state = "AVAILABLE";
    } else if (!record.stopped) {
      this.#transitions.start(record.name);
    } else {
      await cluster.createDatabase(this.#ctx.physical(record.name, DEFAULT_DATABASE));
    }
    await this.#ctx.save();
    this.#ctx.log({ event: "instance_created", instance: record.name, state: record.state });
    return this.json(record);
  }

  get(name: string) {
    return this.json(this.#ctx.instance(name));
  }

  list(pageSize: string | undefined, pageToken: string | undefined) {
    const names = Object.keys(this.#ctx.state.instances).sort();
    const { items, next } = page(names, pageSize, pageToken);
    return {
      database_instances: items.map((n) => this.json(this.#ctx.instance(n))),
      ...(next ? { next_page_token: next } : {}),
    };
  }

  async update(identity: string, name: string, updateMask: string | undefined, body: unknown) {
    const record = this.#permissions.require(identity, name, "CAN_MANAGE");
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
        this.#transitions.resize(record);
      }
    }
    if (fields.includes("node_count") && patch.node_count !== undefined) record.node_count = patch.node_count;
    if (fields.includes("retention_window_in_days") && patch.retention_window_in_days !== undefined) {
      record.retention_window_in_days = patch.retention_window_in_days;
    }
    if (fields.includes("enable_readable_secondaries")) {
      record.enable_readable_secondaries = patch.enable_readable_secondaries ?? false;
      if (record.enable_readable_secondaries) await this.#readOnlyDoor(record.name);
    }
    if (fields.includes("custom_tags")) record.custom_tags = patch.custom_tags ?? [];
    if (fields.includes("stopped")) {
      // A field named in the mask but absent from the body takes its default, as with any field mask.
      const stop = patch.stopped ?? false;
      if (stop && record.state !== "STOPPED") {
        this.#transitions.stop(record);
      } else if (!stop && record.state === "STOPPED") {
        record.stopped = false;
        this.#transitions.start(name);
        this.#ctx.log({ event: "instance_starting", instance: name });
      }
    }
    await this.#ctx.save();
    return this.json(record);
  }

  async delete(identity: string, name: string, purge: string | undefined) {
    if (purge !== undefined && purge !== "true") {
      throw invalidParameter(
        "purge=false is not supported: database instances can only be hard deleted (purge=true).",
      );
    }
    const record = this.#permissions.require(identity, name, "CAN_MANAGE");
    if (record.state !== "DELETING") await this.#transitions.delete(record);
    return {};
  }

  json(record: InstanceRecord) {
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
      read_write_dns: INSTANCE_HOST,
      // The secondary's own address when it has a front door there (a real standby), else the primary's.
      ...(record.enable_readable_secondaries
        ? { read_only_dns: this.#frontDoors.hasReadOnly(record.name) ? READ_ONLY_HOST : INSTANCE_HOST }
        : {}),
      creator: record.creator,
      creation_time: record.creation_time,
      // Not in the real API (Lakebase always listens on 5432): the front-door port of this instance.
      x_local_pg_port: this.#frontDoors.port(record.name),
    };
  }
}
