import { randomUUID } from "node:crypto";
import { alreadyExists, invalidParameter, invalidState, notFound } from "../api-error.ts";
import type { Permissions } from "../identity/permissions.ts";
import type { ServiceContext } from "../state/context.ts";
import type { CatalogRecord } from "../state/records.ts";
import { PG_DATABASE_NAME, UC_NAME } from "./names.ts";
import type { CatalogInput } from "./schemas.ts";

/**
 * Database catalogs: a Unity Catalog catalog registered on one logical database of an instance. Creating
 * and deleting one needs CAN_MANAGE on the instance (Unity Catalog privileges are not emulated).
 */
export class Catalogs {
  readonly #ctx: ServiceContext;
  readonly #permissions: Permissions;

  constructor(ctx: ServiceContext, permissions: Permissions) {
    this.#ctx = ctx;
    this.#permissions = permissions;
  }

  async create(identity: string, input: CatalogInput) {
    const { state, cluster } = this.#ctx;
    if (!UC_NAME.test(input.name)) throw invalidParameter(`Invalid catalog name '${input.name}'.`);
    if (!PG_DATABASE_NAME.test(input.database_name)) {
      throw invalidParameter(`Invalid database name '${input.database_name}'.`);
    }
    if (state.catalogs[input.name]) throw alreadyExists(`Catalog '${input.name}' already exists.`);
    const instance = this.#permissions.require(identity, input.database_instance_name, "CAN_MANAGE");
    if (instance.state !== "AVAILABLE") {
      throw invalidState(`Database instance '${instance.name}' is not AVAILABLE (state ${instance.state}).`);
    }
    if (!instance.databases.includes(input.database_name)) {
      if (!input.create_database_if_not_exists) {
        throw notFound(
          `Database '${input.database_name}' does not exist in instance '${instance.name}'; set create_database_if_not_exists to create it.`,
        );
      }
      await cluster.createDatabase(this.#ctx.physical(instance.name, input.database_name));
      if (!instance.databases.includes(input.database_name)) instance.databases.push(input.database_name);
    }
    // Checked again: another create of the same name may have finished while the database was created.
    if (state.catalogs[input.name]) throw alreadyExists(`Catalog '${input.name}' already exists.`);
    const record: CatalogRecord = {
      name: input.name,
      uid: randomUUID(),
      database_instance_name: instance.name,
      database_name: input.database_name,
      create_database_if_not_exists: input.create_database_if_not_exists ?? false,
    };
    state.catalogs[record.name] = record;
    await this.#ctx.save();
    return { ...record };
  }

  get(name: string) {
    return { ...this.#record(name) };
  }

  async delete(identity: string, name: string) {
    const record = this.#record(name);
    if (this.#ctx.state.instances[record.database_instance_name]) {
      this.#permissions.require(identity, record.database_instance_name, "CAN_MANAGE");
    }
    // Deleting the catalog unregisters it; the Postgres database and its data stay, as on the service.
    delete this.#ctx.state.catalogs[name];
    await this.#ctx.save();
    return {};
  }

  #record(name: string): CatalogRecord {
    const record = this.#ctx.state.catalogs[name];
    if (!record) throw notFound(`Catalog '${name}' does not exist.`);
    return record;
  }
}
