import type { Admission as Decision, FrontDoorLogin } from "../front-door/types.ts";
import type { Permissions } from "../identity/permissions.ts";
import type { ServiceContext } from "../state/context.ts";

/**
 * The login decision of every front door, in the order Lakebase applies it: the instance exists and runs,
 * the password is an unexpired token of that user for that instance, the user may use the instance (CAN_USE
 * stands in for the Postgres role Lakebase requires), the database exists; then the role is made ready
 * upstream.
 */
export class Admission {
  readonly #ctx: ServiceContext;
  readonly #permissions: Permissions;

  constructor(ctx: ServiceContext, permissions: Permissions) {
    this.#ctx = ctx;
    this.#permissions = permissions;
  }

  /** A login on the front door of the instance `name` (which may no longer exist). */
  async admit(name: string, login: FrontDoorLogin): Promise<Decision> {
    const record = this.#ctx.state.instances[name];
    if (!record) return refuse("08004", `database instance "${name}" does not exist`, "instance_deleted");
    const refusing = {
      STOPPED: "is stopped",
      DELETING: "is being deleted",
      STARTING: "is starting",
      FAILING_OVER: "is failing over",
    } as const;
    if (record.state in refusing) {
      const what = refusing[record.state as keyof typeof refusing];
      return refuse("57P03", `database instance "${name}" ${what}`, `instance_${record.state.toLowerCase()}`);
    }
    const check = this.#ctx.deps.tokens.checkLogin(login.password, login.user, name);
    if (!check.ok) {
      return refuse("28P01", `password authentication failed for user "${login.user}"`, check.reason);
    }
    if (!this.#permissions.levelOf(login.user, record)) {
      // Like PostgreSQL for a role that may not log in: the same answer as a wrong password.
      return refuse("28P01", `password authentication failed for user "${login.user}"`, "no_permission");
    }
    if (!record.databases.includes(login.database)) {
      return refuse("3D000", `database "${login.database}" does not exist`, "unknown_database");
    }
    const { cluster } = this.#ctx;
    const database = this.#ctx.physical(name, login.database);
    try {
      const password = await cluster.ensureLoginRole(login.user);
      await cluster.grantDatabase(login.user, database);
      return {
        ok: true,
        upstream: { host: cluster.host, port: cluster.port, database, user: login.user, password },
      };
    } catch (error) {
      this.#ctx.log({ event: "role_error", user: login.user, error: (error as Error).message });
      return refuse("28000", `role "${login.user}" cannot be used on this instance`, "role_error");
    }
  }
}

function refuse(sqlState: string, message: string, reason: string): Decision {
  return { ok: false, sqlState, message, reason };
}
