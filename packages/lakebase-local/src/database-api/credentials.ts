import { invalidState } from "../api-error.ts";
import type { Permissions } from "../identity/permissions.ts";
import type { ServiceContext } from "../state/context.ts";

/**
 * Database credentials: short-lived tokens that the front doors accept as Postgres passwords, for identities
 * with at least CAN_USE on every instance named.
 */
export class Credentials {
  readonly #ctx: ServiceContext;
  readonly #permissions: Permissions;

  constructor(ctx: ServiceContext, permissions: Permissions) {
    this.#ctx = ctx;
    this.#permissions = permissions;
  }

  /**
   * Provisioned: `POST /database/credentials {instance_names}` -> `{token, expiration_time}`. `projects`:
   * projects named as instances the token is also good for (already checked: their primary endpoints accept
   * it).
   */
  generate(identity: string, instanceNames: string[], projects: readonly string[] = []) {
    for (const name of instanceNames) {
      const record = this.#permissions.require(identity, name, "CAN_USE");
      if (record.state === "DELETING") throw invalidState(`Database instance '${name}' is being deleted.`);
    }
    const { deps } = this.#ctx;
    const { token, expiresAt } = deps.tokens.issue(
      { identity, kind: "database", scope: [...new Set([...instanceNames, ...projects])] },
      deps.tokenTtlSeconds,
      "lbl_db_",
    );
    return { token, expiration_time: new Date(expiresAt).toISOString() };
  }
}
