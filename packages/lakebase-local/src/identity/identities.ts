import { invalidParameter } from "../api-error.ts";

/** Databricks principals the local workspace knows: users (emails) and service principals (client ids). */
export type PrincipalKind = "user" | "service_principal";

/**
 * The workspace's identities and who among them is a workspace admin. Admins hold CAN_MANAGE on every
 * instance (Databricks' `admins` group); everyone else gets only what an instance's ACL grants them.
 */
export class Identities {
  readonly #kinds = new Map<string, PrincipalKind>();
  readonly #admins = new Set<string>();

  add(identity: string, kind: PrincipalKind, options: { admin?: boolean } = {}): void {
    const known = this.#kinds.get(identity);
    if (known && known !== kind) {
      throw invalidParameter(`'${identity}' is already a ${known.replace("_", " ")}.`);
    }
    this.#kinds.set(identity, kind);
    if (options.admin) this.#admins.add(identity);
  }

  kind(identity: string): PrincipalKind | undefined {
    return this.#kinds.get(identity);
  }

  isAdmin(identity: string): boolean {
    return this.#admins.has(identity);
  }

  isServicePrincipal(identity: string): boolean {
    return this.#kinds.get(identity) === "service_principal";
  }
}
