import { randomUUID } from "node:crypto";
import { page } from "../../database-api/paging.ts";
import type { EndpointSettingsStatus, ProjectRecord } from "../../state/postgres-records.ts";
import type { PostgresDeps } from "../deps.ts";
import { parseDuration } from "../durations.ts";
import { alreadyExists, badRequest, invalid, requiredId } from "../errors.ts";
import { projectJson } from "../json.ts";
import { checkUpdateMask } from "../masks.ts";
import { checkId, DEFAULT_DATABASE, idFor, PRIMARY_ENDPOINT, projectName, ROOT_BRANCH } from "../names.ts";
import {
  checkCu,
  ENDPOINT_DEFAULTS,
  endpointSettings,
  newBranch,
  newDatabase,
  newEndpoint,
  newRole,
  stamp,
} from "../new-records.ts";
import type { OperationJson } from "../operations.ts";
import { type ProjectBody, projectBodySchema } from "../schemas.ts";
import type { Lifecycle } from "./lifecycle.ts";

const RETENTION_MIN_S = 172_800;
const RETENTION_MAX_S = 3_024_000;
const PG_VERSIONS = [16, 17, 18];

const MASKS = [
  "spec",
  "initial_branch_spec",
  "initial_endpoint_spec",
  "spec.budget_policy_id",
  "spec.custom_tags",
  "spec.default_branch",
  "spec.default_endpoint_settings",
  "spec.default_endpoint_settings.autoscaling_limit_max_cu",
  "spec.default_endpoint_settings.autoscaling_limit_min_cu",
  "spec.default_endpoint_settings.pg_settings",
  "spec.default_endpoint_settings.suspension",
  "spec.display_name",
  "spec.enable_pg_native_login",
  "spec.history_retention_duration",
];

export interface CreateProjectOptions {
  /** The primary endpoint's suspension (the seed's `--suspend-after-ms`, or none), not range-checked. */
  primarySuspension?: Pick<EndpointSettingsStatus, "suspend_timeout_duration" | "no_suspension">;
}

/**
 * Projects: creating one also creates its root branch `production` (the default), that branch's primary
 * read-write endpoint, the database `databricks_postgres` and a role for the caller that owns it (a
 * member of `databricks_superuser`), on a fresh PostgreSQL cluster. Any identity may create and read;
 * changes need CAN_MANAGE (the creator has it).
 */
export class Projects {
  readonly #deps: PostgresDeps;
  readonly #lifecycle: Lifecycle;

  constructor(deps: PostgresDeps, lifecycle: Lifecycle) {
    this.#deps = deps;
    this.#lifecycle = lifecycle;
  }

  /** `POST /projects?project_id=`: an operation done when the project's cluster runs. */
  create(identity: string, projectId: string | undefined, body: unknown): OperationJson {
    const { name, work } = this.#prepare(identity, projectId, body, {});
    return this.#deps.operations.start(name, "Project", work);
  }

  /** The same, ready when this resolves (the seed). */
  async createNow(identity: string, projectId: string, options: CreateProjectOptions): Promise<void> {
    await this.#prepare(identity, projectId, {}, options).work();
  }

  #prepare(
    identity: string,
    projectId: string | undefined,
    body: unknown,
    options: CreateProjectOptions,
  ): { name: string; work: () => Promise<unknown> } {
    const { ctx } = this.#deps;
    if (!projectId) throw requiredId("project_id");
    checkId(projectId, "project_id");
    const input = projectBodySchema.parse(body ?? {});
    const name = projectName(projectId);
    if (ctx.postgres.projects[name])
      throw alreadyExists("project with such id already exists in the workspace");
    // The same name space as database instances: a project is also one (the `database` API's view of it).
    if (ctx.state.instances[projectId])
      throw alreadyExists(`A database instance named '${projectId}' exists.`);

    const project = this.#newProject(identity, projectId, input);
    const root = newBranch(project, ROOT_BRANCH, {
      root: true,
      isDefault: true,
      isProtected: input.initial_branch_spec?.is_protected ?? false,
    });
    const settings = endpointSettings(
      input.initial_endpoint_spec,
      project.status.default_endpoint_settings,
      "initial_endpoint_spec",
    );
    if (options.primarySuspension) {
      // The seed's own suspension, unchecked: `suspendAfterMs` may be far below the service's 60 s minimum.
      delete settings.no_suspension;
      delete settings.suspend_timeout_duration;
      Object.assign(settings, options.primarySuspension);
    }
    const primary = newEndpoint(root, PRIMARY_ENDPOINT, "ENDPOINT_TYPE_READ_WRITE", settings, {
      implicit: true,
    });
    const owner = newRole(root.name, idFor(identity), {
      postgres_role: identity,
      identity_type: this.#deps.identities.isServicePrincipal(identity) ? "SERVICE_PRINCIPAL" : "USER",
      auth_method: "LAKEBASE_OAUTH_V1",
      attributes: { createdb: true, createrole: true },
      membership_roles: ["DATABRICKS_SUPERUSER"],
    });
    const database = newDatabase(
      root.name,
      idFor(DEFAULT_DATABASE),
      input.initial_database_spec?.postgres_database ?? DEFAULT_DATABASE,
      owner.name,
    );
    const { postgres } = ctx;
    postgres.projects[name] = project;
    postgres.branches[root.name] = root;
    postgres.endpoints[primary.name] = primary;
    postgres.roles[owner.name] = owner;
    postgres.databases[database.name] = database;
    ctx.log({ event: "project_creating", project: name });

    const work = async () => {
      try {
        // The port of a deleted instance of this name, if it had one (clients keep their PGPORT).
        await this.#deps.doors.handOver(projectId, primary.name);
        await this.#deps.doors.ensure(primary.name);
        await this.#deps.clusters.createRoot(root.name, root.uid);
        this.#lifecycle.ready(root);
        await this.#deps.computes.start(primary);
        await ctx.save();
        ctx.log({ event: "project_created", project: name });
        return projectJson(this.#deps, project);
      } catch (error) {
        await this.#lifecycle.purgeProject(project).catch(() => undefined);
        throw error;
      }
    };
    return { name, work };
  }

  get(name: string) {
    return projectJson(this.#deps, this.#deps.access.project(name));
  }

  list(query: { page_size?: string; page_token?: string; show_deleted?: string }) {
    const all = Object.values(this.#deps.ctx.postgres.projects)
      .filter((p) => query.show_deleted === "true" || !p.delete_time)
      .map((p) => p.name)
      .sort();
    const { items, next } = page(all, query.page_size, query.page_token);
    return {
      projects: items.map((n) => this.get(n)),
      ...(next ? { next_page_token: next } : {}),
    };
  }

  update(identity: string, name: string, mask: string | undefined, body: unknown): OperationJson {
    const project = this.#deps.access.require(identity, name, "CAN_MANAGE");
    const paths = checkUpdateMask(mask, MASKS, body);
    const spec = projectBodySchema.parse(body ?? {}).spec ?? {};
    const has = (path: string) => paths.includes("spec") || paths.includes(path);
    const status = project.status;
    if (has("spec.display_name") && spec.display_name !== undefined) status.display_name = spec.display_name;
    if (has("spec.history_retention_duration") && spec.history_retention_duration !== undefined) {
      status.history_retention_duration = checkedRetention(spec.history_retention_duration);
    }
    if (has("spec.enable_pg_native_login") && spec.enable_pg_native_login !== undefined) {
      status.enable_pg_native_login = spec.enable_pg_native_login;
    }
    if (has("spec.default_branch") && spec.default_branch !== undefined) {
      const branch = this.#deps.access.branch(spec.default_branch);
      if (branch.parent !== name || branch.status.current_state === "DELETED") {
        throw invalid(`Branch '${spec.default_branch}' is not a live branch of ${name}.`);
      }
      for (const b of Object.values(this.#deps.ctx.postgres.branches)) {
        if (b.parent === name) b.status.default = b.name === branch.name;
      }
      status.default_branch = branch.name;
    }
    const defaults = spec.default_endpoint_settings;
    if (defaults) {
      const current = status.default_endpoint_settings;
      const next = { ...current };
      if (
        has("spec.default_endpoint_settings") ||
        has("spec.default_endpoint_settings.autoscaling_limit_min_cu")
      ) {
        if (defaults.autoscaling_limit_min_cu !== undefined)
          next.autoscaling_limit_min_cu = defaults.autoscaling_limit_min_cu;
      }
      if (
        has("spec.default_endpoint_settings") ||
        has("spec.default_endpoint_settings.autoscaling_limit_max_cu")
      ) {
        if (defaults.autoscaling_limit_max_cu !== undefined)
          next.autoscaling_limit_max_cu = defaults.autoscaling_limit_max_cu;
      }
      if (has("spec.default_endpoint_settings") || has("spec.default_endpoint_settings.suspension")) {
        const suspension = endpointSettings(defaults, ENDPOINT_DEFAULTS, "spec.default_endpoint_settings");
        delete next.no_suspension;
        delete next.suspend_timeout_duration;
        if (suspension.no_suspension) next.no_suspension = true;
        else next.suspend_timeout_duration = suspension.suspend_timeout_duration ?? "86400s";
      }
      if (has("spec.default_endpoint_settings") || has("spec.default_endpoint_settings.pg_settings")) {
        if (defaults.pg_settings) next.pg_settings = defaults.pg_settings;
      }
      checkCu(next, "spec.default_endpoint_settings");
      status.default_endpoint_settings = next;
    }
    stamp(project);
    return this.#deps.operations.start(name, "Project", async () => {
      await this.#deps.ctx.save();
      return projectJson(this.#deps, project);
    });
  }

  delete(identity: string, name: string, purge: string | undefined): OperationJson {
    const project = this.#deps.access.require(identity, name, "CAN_MANAGE");
    const hard = purge === "true";
    const branches = Object.values(this.#deps.ctx.postgres.branches).filter((b) => b.parent === name);
    if (branches.some((b) => b.status.is_protected && b.status.current_state !== "DELETED")) {
      throw badRequest("cannot delete a project with a protected branch");
    }
    if (project.delete_time && !hard) return this.#deps.operations.start(name, "Project", () => undefined);
    return this.#deps.operations.start(name, "Project", async () => {
      await (hard ? this.#lifecycle.purgeProject(project) : this.#lifecycle.softDeleteProject(project));
      return undefined;
    });
  }

  undelete(identity: string, name: string): OperationJson {
    const project = this.#deps.access.require(identity, name, "CAN_MANAGE");
    if (!project.delete_time) throw badRequest(`${name} is not deleted`);
    return this.#deps.operations.start(name, "Project", async () => {
      await this.#lifecycle.undeleteProject(project);
      return projectJson(this.#deps, project);
    });
  }

  #newProject(identity: string, projectId: string, input: ProjectBody): ProjectRecord {
    const spec = input.spec ?? {};
    const pgVersion = spec.pg_version ?? 17;
    if (!PG_VERSIONS.includes(pgVersion)) {
      throw invalid(`Field 'spec.pg_version' must be one of ${PG_VERSIONS.join(", ")}.`);
    }
    const time = new Date().toISOString();
    const name = projectName(projectId);
    return {
      name,
      project_id: projectId,
      uid: randomUUID(),
      create_time: time,
      update_time: time,
      status: {
        display_name: spec.display_name ?? projectId,
        pg_version: pgVersion,
        history_retention_duration: checkedRetention(spec.history_retention_duration ?? "604800s"),
        default_branch: `${name}/branches/${ROOT_BRANCH}`,
        default_endpoint_settings: endpointSettings(
          spec.default_endpoint_settings,
          ENDPOINT_DEFAULTS,
          "spec.default_endpoint_settings",
        ),
        enable_pg_native_login: spec.enable_pg_native_login ?? false,
        owner: identity,
      },
      acl: this.#deps.access.rules.initial(identity),
    };
  }
}

function checkedRetention(value: string): string {
  const seconds = parseDuration(value, "spec.history_retention_duration");
  if (seconds < RETENTION_MIN_S || seconds > RETENTION_MAX_S) {
    throw invalid(
      `Field 'spec.history_retention_duration' must be between ${RETENTION_MIN_S}s and ${RETENTION_MAX_S}s.`,
    );
  }
  return value;
}
