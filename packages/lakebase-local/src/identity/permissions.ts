import { permissionDenied } from "../api-error.ts";
import type { ServiceContext } from "../state/context.ts";
import type { AclEntry, InstanceRecord, PermissionLevel } from "../state/records.ts";
import { AclRules } from "./acl-rules.ts";
import type { Identities } from "./identities.ts";
import type { AclRequest } from "./schemas.ts";

const DESCRIPTIONS: Record<PermissionLevel, string> = {
  CAN_USE: "Can use the database instance: generate database credentials and log in.",
  CAN_MANAGE:
    "Can manage the database instance: update, stop, start, delete it, its catalogs and synced tables, and its permissions.",
};

/**
 * Instance ACLs as `/api/2.0/permissions/database-instances/{name}` serves them (see AclRules). The creator
 * of an instance gets CAN_MANAGE.
 */
export class Permissions {
  readonly #ctx: ServiceContext;
  readonly rules: AclRules;

  constructor(ctx: ServiceContext, identities: Identities) {
    this.#ctx = ctx;
    this.rules = new AclRules(identities, "database-instances");
  }

  /** The grants a new instance starts with: its creator can manage it. */
  initial(creator: string): AclEntry[] {
    return this.rules.initial(creator);
  }

  /** The highest level `identity` holds on the instance, if any. */
  levelOf(identity: string, record: InstanceRecord): PermissionLevel | undefined {
    return this.rules.levelOf(identity, this.#acl(record));
  }

  /** The instance, if `identity` holds at least `level` on it; else Databricks' 403 PERMISSION_DENIED. */
  require(identity: string, name: string, level: PermissionLevel): InstanceRecord {
    const record = this.#ctx.instance(name);
    if (!this.rules.holds(identity, this.#acl(record), level)) {
      throw permissionDenied(
        `User ${identity} does not have ${level} permission on database instance '${name}'.`,
      );
    }
    return record;
  }

  /** GET: needs CAN_USE (an identity with no permission on the instance does not see its ACL). */
  get(identity: string, name: string) {
    const record = this.require(identity, name, "CAN_USE");
    return this.rules.json(record.name, this.#acl(record));
  }

  levels(identity: string, name: string) {
    this.require(identity, name, "CAN_USE");
    return this.rules.levels(DESCRIPTIONS);
  }

  async update(identity: string, name: string, request: AclRequest, mode: "add" | "replace") {
    const record = this.require(identity, name, "CAN_MANAGE");
    record.acl = this.rules.merged(this.#acl(record), request, mode);
    await this.#ctx.save();
    this.#ctx.log({
      event: "permissions_updated",
      instance: name,
      by: identity,
      mode,
      grants: record.acl.length,
    });
    return this.rules.json(record.name, record.acl);
  }

  #acl(record: InstanceRecord): AclEntry[] {
    // State written before permissions existed: the creator held CAN_MANAGE.
    record.acl ??= this.initial(record.creator);
    return record.acl;
  }
}
