import { invalidParameter, invalidState } from "../api-error.ts";
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

  /** Provisioned: `POST /database/credentials {instance_names}` -> `{token, expiration_time}`. */
  generate(identity: string, instanceNames: string[]) {
    for (const name of instanceNames) {
      const record = this.#permissions.require(identity, name, "CAN_USE");
      if (record.state === "DELETING") throw invalidState(`Database instance '${name}' is being deleted.`);
    }
    const { deps } = this.#ctx;
    const { token, expiresAt } = deps.tokens.issue(
      { identity, kind: "database", instances: [...new Set(instanceNames)] },
      deps.tokenTtlSeconds,
      "lbl_db_",
    );
    return { token, expiration_time: new Date(expiresAt).toISOString() };
  }

  /**
   * Autoscaling: `POST /postgres/credentials {endpoint}` -> `{token, expire_time}`. The endpoint
   * `projects/<project>/branches/<branch>/endpoints/<endpoint>` maps to the instance named `<endpoint>`
   * (project and branch are not modelled); a bare name is taken as the instance name.
   */
  generateForEndpoint(identity: string, endpoint: string) {
    const match = /^projects\/[^/]+\/branches\/[^/]+\/endpoints\/([^/]+)$/.exec(endpoint);
    const name = match?.[1] ?? endpoint;
    if (name.includes("/")) throw invalidParameter(`Invalid endpoint '${endpoint}'.`);
    const { token, expiration_time } = this.generate(identity, [name]);
    return { token, expire_time: expiration_time };
  }
}
