import { invalidParameter } from "../api-error.ts";
import type { AclEntry, PermissionLevel } from "../state/acl.ts";
import type { Identities } from "./identities.ts";
import type { AclRequest } from "./schemas.ts";

export const RANK: Record<PermissionLevel, number> = { CAN_USE: 1, CAN_MANAGE: 2 };
/** Every workspace identity is in `users`; workspace admins are `admins`, which cannot be granted to. */
const ALL_USERS = "users";
const ADMINS = "admins";

/**
 * ACL rules the permissions API applies to every object type it serves here (`database-instances`,
 * `database-projects`): CAN_USE and CAN_MANAGE held directly, through the `users` group, or (CAN_MANAGE,
 * inherited) by workspace admins.
 */
export class AclRules {
  readonly #identities: Identities;
  readonly objectType: string;

  constructor(identities: Identities, objectType: string) {
    this.#identities = identities;
    this.objectType = objectType;
  }

  /** The grants a new object starts with: its creator can manage it. */
  initial(creator: string): AclEntry[] {
    const kind = this.#identities.isServicePrincipal(creator) ? "service_principal" : "user";
    return [{ principal: { kind, name: creator }, level: "CAN_MANAGE" }];
  }

  /** The highest level `identity` holds, if any. */
  levelOf(identity: string, acl: readonly AclEntry[]): PermissionLevel | undefined {
    if (this.#identities.isAdmin(identity)) return "CAN_MANAGE";
    let best: PermissionLevel | undefined;
    for (const entry of acl) {
      const { kind, name } = entry.principal;
      const holds = kind === "group" ? name === ALL_USERS : name === identity;
      if (holds && (!best || RANK[entry.level] > RANK[best])) best = entry.level;
    }
    return best;
  }

  holds(identity: string, acl: readonly AclEntry[], level: PermissionLevel): boolean {
    const held = this.levelOf(identity, acl);
    return held !== undefined && RANK[held] >= RANK[level];
  }

  /** PATCH adds grants to the direct ACL; PUT replaces it (the creator too: admins keep CAN_MANAGE). */
  merged(acl: readonly AclEntry[], request: AclRequest, mode: "add" | "replace"): AclEntry[] {
    const entries = (request.access_control_list ?? []).map((item) => this.#entry(item));
    const out = mode === "replace" ? [] : [...acl];
    for (const entry of entries) {
      const same = (e: AclEntry) =>
        e.level === entry.level &&
        e.principal.kind === entry.principal.kind &&
        e.principal.name === entry.principal.name;
      if (!out.some(same)) out.push(entry);
    }
    return out;
  }

  levels(descriptions: Record<PermissionLevel, string>) {
    return {
      permission_levels: (Object.keys(descriptions) as PermissionLevel[]).map((level) => ({
        permission_level: level,
        description: descriptions[level],
      })),
    };
  }

  /** The SDK's `ObjectPermissions` for `/<objectType>/<objectId>`. */
  json(objectId: string, acl: readonly AclEntry[]) {
    const byPrincipal = new Map<string, { principal: AclEntry["principal"]; levels: PermissionLevel[] }>();
    for (const entry of acl) {
      const key = `${entry.principal.kind}\u0000${entry.principal.name}`;
      const found = byPrincipal.get(key) ?? { principal: entry.principal, levels: [] };
      found.levels.push(entry.level);
      byPrincipal.set(key, found);
    }
    const field = { user: "user_name", service_principal: "service_principal_name", group: "group_name" };
    return {
      object_id: `/${this.objectType}/${objectId}`,
      object_type: this.objectType,
      access_control_list: [
        ...[...byPrincipal.values()].map(({ principal, levels }) => ({
          [field[principal.kind]]: principal.name,
          ...(principal.kind === "user" ? { display_name: principal.name.split("@")[0] } : {}),
          all_permissions: levels.map((level) => ({ permission_level: level, inherited: false })),
        })),
        {
          group_name: ADMINS,
          all_permissions: [
            {
              permission_level: "CAN_MANAGE",
              inherited: true,
              inherited_from_object: [`/${this.objectType}/`],
            },
          ],
        },
      ],
    };
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
        `Permission level ${item.permission_level ?? "(none)"} is not supported for ${this.objectType}: use CAN_USE or CAN_MANAGE.`,
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
}
