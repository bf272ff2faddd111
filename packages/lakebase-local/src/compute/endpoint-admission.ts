import type { Admission as Decision, FrontDoorLogin } from "../front-door/types.ts";
import type { Identities } from "../identity/identities.ts";
import type { ProjectAccess } from "../postgres-api/project-access.ts";
import type { ServiceContext } from "../state/context.ts";
import type { EndpointRecord, ProjectRecord } from "../state/postgres-records.ts";
import type { Cluster } from "./cluster.ts";
import type { EndpointComputes } from "./endpoint-computes.ts";

/** How long a login on a standby waits for a role just made on its primary to be replayed there. */
const ROLE_REPLAY_WAIT_MS = 30_000;

/**
 * The login decision of an Autoscaling endpoint's front door, as Lakebase applies it to OAuth roles: the
 * endpoint exists and is enabled; the password is an unexpired token of that user, either a credential of
 * this endpoint or the user's own workspace token; the user has a Postgres role on the branch that may log
 * in (the roles API creates them). For workspace admins and service principals with CAN_USE on the
 * project a missing role is made at the first login (standing in for the project owner's role and for the
 * role Databricks Apps makes when a `postgres` resource is added); users without a role are refused with
 * 28P01, PostgreSQL's answer. Then the compute is woken if it was suspended.
 */
export class EndpointAdmission {
  readonly #ctx: ServiceContext;
  readonly #access: ProjectAccess;
  readonly #identities: Identities;
  readonly #computes: EndpointComputes;

  constructor(
    ctx: ServiceContext,
    access: ProjectAccess,
    identities: Identities,
    computes: EndpointComputes,
  ) {
    this.#ctx = ctx;
    this.#access = access;
    this.#identities = identities;
    this.#computes = computes;
  }

  async admit(name: string, login: FrontDoorLogin): Promise<Decision> {
    const { postgres } = this.#ctx;
    const endpoint = postgres.endpoints[name];
    const branch = endpoint && postgres.branches[endpoint.parent];
    const project = branch && postgres.projects[branch.parent];
    if (
      !endpoint ||
      !branch ||
      !project ||
      branch.status.current_state === "DELETED" ||
      project.delete_time
    ) {
      return refuse("08004", `endpoint "${name}" does not exist`, "endpoint_deleted");
    }
    if (endpoint.status.disabled) {
      return refuse("57P03", `endpoint "${name}" is disabled`, "endpoint_disabled");
    }
    if (endpoint.status.current_state === "INIT" || branch.status.current_state === "INIT") {
      return refuse("57P03", `endpoint "${name}" is starting`, "endpoint_starting");
    }
    // The project's primary endpoint also answers to the project's instance name (`database` API tokens).
    const instance =
      endpoint.implicit && project.status.default_branch === branch.name ? project.project_id : undefined;
    const check = this.#ctx.deps.tokens.checkLogin(
      login.password,
      login.user,
      instance ? [name, instance] : [name],
    );
    if (!check.ok) return wrongPassword(login.user, check.reason);
    const role = Object.values(postgres.roles).find(
      (r) => r.parent === branch.name && r.status.postgres_role === login.user,
    );
    const auto = !role && this.#mayAutoRole(login.user, project);
    if (role?.status.auth_method === "NO_LOGIN") {
      return refuse("28000", `role "${login.user}" is not permitted to log in`, "no_login_role");
    }
    if (role?.status.auth_method === "PG_PASSWORD_SCRAM_SHA_256")
      return wrongPassword(login.user, "password_role");
    if (!role && !auto) return wrongPassword(login.user, "no_role");
    const database = Object.values(postgres.databases).find(
      (d) => d.parent === branch.name && d.status.postgres_database === login.database,
    );
    if (!database) return refuse("3D000", `database "${login.database}" does not exist`, "unknown_database");

    try {
      const target = await this.#computes.target(endpoint);
      if (auto) await this.#autoRole(endpoint, login, await target.primary());
      // A standby knows a role only once it has replayed it: wait for a role made a moment ago.
      const recent =
        auto ||
        (role !== undefined &&
          Date.now() - Date.parse(role.create_time) < this.#computes.replicaDelayMs + ROLE_REPLAY_WAIT_MS);
      if (target.standby && recent) await this.#replayed(target.server, login.user);
      return {
        ok: true,
        upstream: {
          host: target.host,
          port: target.port,
          database: login.database,
          user: login.user,
          password: target.server.rolePassword(login.user),
        },
      };
    } catch (error) {
      this.#ctx.log({ event: "endpoint_login_error", endpoint: name, error: (error as Error).message });
      return refuse("57P03", `endpoint "${name}" could not be started`, "compute_error");
    }
  }

  #mayAutoRole(user: string, project: ProjectRecord): boolean {
    const admin = this.#identities.isAdmin(user);
    if (!admin && !this.#identities.isServicePrincipal(user)) return false;
    return this.#access.holds(user, project, "CAN_USE");
  }

  /** CONNECT, CREATE and TEMPORARY on the database, like CAN_CONNECT_AND_CREATE. */
  async #autoRole(endpoint: EndpointRecord, login: FrontDoorLogin, admin: Cluster): Promise<void> {
    await admin.ensureLoginRole(login.user);
    await admin.grantDatabase(login.user, login.database);
    this.#ctx.log({ event: "role_created_at_login", endpoint: endpoint.name, user: login.user });
  }

  /** Waits until the standby has replayed the role (a role made a moment ago on its primary). */
  async #replayed(standby: Cluster, role: string): Promise<void> {
    const deadline = Date.now() + ROLE_REPLAY_WAIT_MS;
    for (;;) {
      const found = await standby.withClient("postgres", (c) =>
        c.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [role]),
      );
      if ((found.rowCount ?? 0) > 0) return;
      if (Date.now() > deadline) throw new Error(`role "${role}" has not reached the standby`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

function wrongPassword(user: string, reason: string): Decision {
  // PostgreSQL's answer whatever the cause, so a client cannot tell a missing role from a wrong token.
  return refuse("28P01", `password authentication failed for user "${user}"`, reason);
}

function refuse(sqlState: string, message: string, reason: string): Decision {
  return { ok: false, sqlState, message, reason };
}
