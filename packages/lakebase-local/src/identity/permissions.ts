import { invalidParameter, permissionDenied } from "../api-error.ts";
import type { ServiceContext } from "../state/context.ts";
import type { AclEntry, InstanceRecord, PermissionLevel } from "../state/records.ts";
import type { Identities } from "./identities.ts";
import type { AclRequest } from "./schemas.ts";

const OBJECT_TYPE = "database-instances";
const RANK: Record<PermissionLevel, number> = { CAN_USE: 1, CAN_MANAGE: 2 };
const DESCRIPTIONS: Record<PermissionLevel, string> = {
  CAN_USE: "Can use the database instance: generate database credentials and log in.",
  CAN_MANAGE:
    "Can manage the database instance: update, stop, start, delete it, its catalogs and synced tables, and its permissions.",
};
/** Every workspace identity is in `users`; workspace admins are `admins`, which cannot be granted to. */
const ALL_USERS = "users";
const ADMINS = "admins";

/**
 * Instance ACLs as `/api/2.0/permissions/database-instances/{name}` serves them: CAN_USE and CAN_MANAGE,
 * held directly, through the `users` group, or (CAN_MANAGE, inherited) by workspace admins. The creator of
 * an instance gets CAN_MANAGE.
 */
export class Permissions {
  readonly #ctx: ServiceContext;
  readonly #identities: Identities;

  constructor(ctx: ServiceContext, identities: Identities) {
    this.#ctx = ctx;
    this.#identities = identities;
  }

  /** The grants a new instance starts with: its creator can manage it. */
  initial(creator: string): AclEntry[] {
    const kind = this.#identities.isServicePrincipal(creator) ? "service_principal" : "user";
    return [{ principal: { kind, name: creator }, level: "CAN_MANAGE" }];
  }

  /** The highest level `identity` holds on the instance, if any. */
  levelOf(identity: string, record: InstanceRecord): PermissionLevel | undefined {
    if (this.#identities.isAdmin(identity)) return "CAN_MANAGE";
    let best: PermissionLevel | undefined;
    for (const entry of this.#acl(record)) {
      const { kind, name } = entry.principal;
      const holds = kind === "group" ? name === ALL_USERS : name === identity;
      if (holds && (!best || RANK[entry.level] > RANK[best])) best = entry.level;
    }
    return best;
  }

  /** The instance, if `identity` holds at least `level` on it; else Databricks' 403 PERMISSION_DENIED. */
  require(identity: string, name: string, level: PermissionLevel): InstanceRecord {
    const record = this.#ctx.instance(name);
    const held = this.levelOf(identity, record);
    if (!held || RANK[held] < RANK[level]) {
      throw permissionDenied(
        `User ${identity} does not have ${level} permission on database instance '${name}'.`,
      );
    }
    return record;
  }

  /** GET: needs CAN_USE (an identity with no permission on the instance does not see its ACL). */
  get(identity: string, name: string) {
    return this.#json(this.require(identity, name, "CAN_USE"));
  }

  levels(identity: string, name: string) {
    this.require(identity, name, "CAN_USE");
    return {
      permission_levels: (Object.keys(DESCRIPTIONS) as PermissionLevel[]).map((level) => ({
        permission_level: level,
        description: DESCRIPTIONS[level],
      })),
    };
  }

  /** PATCH adds grants to the direct ACL; PUT replaces it (the creator too: admins keep CAN_MANAGE). */
  async update(identity: string, name: string, request: AclRequest, mode: "add" | "replace") {
    const record = this.require(identity, name, "CAN_MANAGE");
    const entries = (request.access_control_list ?? []).map((item) => this.#entry(item));
    const acl = mode === "replace" ? [] : [...this.#acl(record)];
    for (const entry of entries) {
      const same = (e: AclEntry) =>
        e.level === entry.level &&
        e.principal.kind === entry.principal.kind &&
        e.principal.name === entry.principal.name;
      if (!acl.some(same)) acl.push(entry);
    }
    record.acl = acl;
    await this.#ctx.save();
    this.#ctx.log({ event: "permissions_updated", instance: name, by: identity, mode, grants: acl.length });
    return this.#json(record);
  }

  #acl(record: InstanceRecord): AclEntry[] {
    // State written before permissions existed: the creator held CAN_MANAGE.
    record.acl ??= this.initial(record.creator);
    return record.acl;
  }

  #entry(item: NonNullable<AclRequest["access_control_list"]>[number]): AclEntry {
    const named = [
      item.user_name !== undefined ? ({ kind: "user", name: item.user_name } as const) : undefined,
      item.service_principal_name !== undefined
        ? ({ kind: "service_principal", name: item.service_principal_name } as const)
        : undefined,
      item.group_name !== undefined ? ({ kind: "group", name: item.group_name } as const) : undefined,
    ].filter((p) => p !== undefined);
    const principal = named[0];
    if (!principal || named.length > 1) {
      throw invalidParameter(
        "Each access control entry needs exactly one of user_name, group_name, service_principal_name.",
      );
    }
    if (item.permission_level !== "CAN_USE" && item.permission_level !== "CAN_MANAGE") {
      throw invalidParameter(
        `Permission level ${item.permission_level ?? "(none)"} is not supported for ${OBJECT_TYPE}: use CAN_USE or CAN_MANAGE.`,
      );
    }
    if (principal.kind === "group") {
      if (principal.name === ADMINS)
        throw invalidParameter("The permissions of group admins cannot be changed.");
      if (principal.name !== ALL_USERS)
        throw invalidParameter(`Principal: GroupName(${principal.name}) does not exist`);
    } else if (this.#identities.kind(principal.name) !== principal.kind) {
      const label = principal.kind === "user" ? "UserName" : "ServicePrincipalName";
      throw invalidParameter(`Principal: ${label}(${principal.name}) does not exist`);
    }
    return { principal, level: item.permission_level };
  }

  #json(record: InstanceRecord) {
    const byPrincipal = new Map<string, { principal: AclEntry["principal"]; levels: PermissionLevel[] }>();
    for (const entry of this.#acl(record)) {
      const key = `${entry.principal.kind}\u0000${entry.principal.name}`;
      const found = byPrincipal.get(key) ?? { principal: entry.principal, levels: [] };
      found.levels.push(entry.level);
      byPrincipal.set(key, found);
    }
    const field = { user: "user_name", service_principal: "service_principal_name", group: "group_name" };
    return {
      object_id: `/${OBJECT_TYPE}/${record.name}`,
      object_type: OBJECT_TYPE,
      access_control_list: [
        ...[...byPrincipal.values()].map(({ principal, levels }) => ({
          [field[principal.kind]]: principal.name,
          ...(principal.kind === "user" ? { display_name: principal.name.split("@")[0] } : {}),
          all_permissions: levels.map((level) => ({ permission_level: level, inherited: false })),
        })),
        {
          group_name: ADMINS,
          all_permissions: [
            { permission_level: "CAN_MANAGE", inherited: true, inherited_from_object: [`/${OBJECT_TYPE}/`] },
          ],
        },
      ],
    };
  }
}
