import {
  notFound as instanceNotFound,
  invalidParameter,
  invalidState,
  permissionDenied,
} from "../api-error.ts";
import { INSTANCE_HOST } from "../compute/addresses.ts";
import { capacitySchema, instancePatchSchema, UPDATABLE_INSTANCE_FIELDS } from "../database-api/schemas.ts";
import { AclRules } from "../identity/acl-rules.ts";
import type { AclRequest } from "../identity/schemas.ts";
import type { PermissionLevel } from "../state/acl.ts";
import type { EndpointRecord, ProjectRecord } from "../state/postgres-records.ts";
import type { PostgresDeps } from "./deps.ts";
import { PRIMARY_ENDPOINT, projectName } from "./names.ts";
import type { Endpoints } from "./resources/endpoints.ts";
import type { Lifecycle } from "./resources/lifecycle.ts";

/**
 * The `database` API's view of projects, as Databricks serves it since March 2026: every project is also
 * a database instance named after its id, whose compute is the default branch's primary endpoint. GET and
 * list show it, `stopped` disables or enables that endpoint, deleting it purges the project, credentials
 * log in at that endpoint, and its ACL is the project's.
 */
export class InstanceAliases {
  readonly #deps: PostgresDeps;
  readonly #endpoints: Endpoints;
  readonly #lifecycle: Lifecycle;
  /** Projects being purged through the `database` API (DELETING until gone). */
  readonly #deleting = new Set<string>();
  /** Primary endpoints being started after `stopped: false` (STARTING until running). */
  readonly #starting = new Set<string>();
  readonly #instanceRules: AclRules;

  constructor(deps: PostgresDeps, endpoints: Endpoints, lifecycle: Lifecycle) {
    this.#deps = deps;
    this.#endpoints = endpoints;
    this.#lifecycle = lifecycle;
    this.#instanceRules = new AclRules(deps.identities, "database-instances");
  }

  /** The live project named `name` as an instance, if there is one. */
  find(name: string): ProjectRecord | undefined {
    const project = this.#deps.ctx.postgres.projects[projectName(name)];
    return project && !project.delete_time ? project : undefined;
  }

  names(): string[] {
    return Object.values(this.#deps.ctx.postgres.projects)
      .filter((p) => !p.delete_time)
      .map((p) => p.project_id);
  }

  /** The default branch's primary endpoint: where the instance's connections go. */
  primary(project: ProjectRecord): EndpointRecord | undefined {
    return this.#deps.ctx.postgres.endpoints[
      `${project.status.default_branch}/endpoints/${PRIMARY_ENDPOINT}`
    ];
  }

  portOf(name: string): number | undefined {
    const project = this.find(name);
    const primary = project && this.primary(project);
    return primary ? this.#deps.doors.port(primary.name) : undefined;
  }

  get(name: string) {
    return this.json(this.#require(name));
  }

  json(project: ProjectRecord) {
    const primary = this.primary(project);
    const extra = project.instance ?? { capacity: "CU_1", node_count: 1, custom_tags: [] };
    const stopped = primary?.status.disabled ?? true;
    const retention = Math.round(Number.parseFloat(project.status.history_retention_duration) / 86_400);
    const readable = Object.values(this.#deps.ctx.postgres.endpoints).some(
      (e) =>
        e.parent === project.status.default_branch && e.status.endpoint_type === "ENDPOINT_TYPE_READ_ONLY",
    );
    return {
      name: project.project_id,
      uid: project.uid,
      capacity: extra.capacity,
      effective_capacity: extra.capacity,
      state: this.#state(project, primary),
      stopped,
      effective_stopped: stopped,
      node_count: extra.node_count,
      effective_node_count: extra.node_count,
      enable_readable_secondaries: readable,
      effective_enable_readable_secondaries: readable,
      retention_window_in_days: retention,
      effective_retention_window_in_days: retention,
      custom_tags: extra.custom_tags,
      effective_custom_tags: extra.custom_tags,
      effective_enable_pg_native_login: project.status.enable_pg_native_login,
      pg_version: `PG_VERSION_${project.status.pg_version}`,
      read_write_dns: INSTANCE_HOST,
      creator: project.status.owner,
      creation_time: project.create_time,
      // Not in the real API: the front-door port of the project's primary endpoint.
      x_local_pg_port: primary ? this.#deps.doors.port(primary.name) : undefined,
    };
  }

  /** PATCH as the `database` API takes it: `stopped` disables or enables the primary endpoint. */
  async update(identity: string, name: string, updateMask: string | undefined, body: unknown) {
    const project = this.require(identity, name, "CAN_MANAGE");
    if (!updateMask) throw invalidParameter("update_mask is required.");
    const fields =
      updateMask === "*" ? [...UPDATABLE_INSTANCE_FIELDS] : updateMask.split(",").map((f) => f.trim());
    for (const field of fields) {
      if (!(UPDATABLE_INSTANCE_FIELDS as readonly string[]).includes(field)) {
        throw invalidParameter(`Field '${field}' in update_mask cannot be updated.`);
      }
    }
    const parsed = instancePatchSchema.safeParse(body ?? {});
    if (!parsed.success) throw invalidParameter(parsed.error.issues[0]?.message ?? "invalid body");
    const patch = parsed.data;
    if (patch.name !== undefined && patch.name !== name) throw invalidParameter("name cannot be changed.");
    project.instance ??= { capacity: "CU_1", node_count: 1, custom_tags: [] };
    const extra = project.instance;
    if (fields.includes("capacity")) {
      const capacity = capacitySchema.safeParse(patch.capacity);
      if (!capacity.success) {
        throw invalidParameter(
          `Invalid capacity '${patch.capacity ?? ""}': expected one of CU_1, CU_2, CU_4, CU_8.`,
        );
      }
      extra.capacity = capacity.data;
    }
    if (fields.includes("node_count") && patch.node_count !== undefined) extra.node_count = patch.node_count;
    if (fields.includes("custom_tags")) extra.custom_tags = patch.custom_tags ?? [];
    if (fields.includes("retention_window_in_days") && patch.retention_window_in_days !== undefined) {
      project.status.history_retention_duration = `${patch.retention_window_in_days * 86_400}s`;
    }
    if (fields.includes("enable_readable_secondaries")) {
      const wanted = patch.enable_readable_secondaries ?? false;
      if (wanted !== this.json(project).enable_readable_secondaries) {
        throw invalidParameter(
          "A project's readable secondaries are read-only endpoints: create or delete one through the postgres API.",
        );
      }
    }
    const primary = this.primary(project);
    if (fields.includes("stopped") && primary) {
      // A field named in the mask but absent from the body takes its default, as with any field mask.
      const stop = patch.stopped ?? false;
      if (stop !== primary.status.disabled) {
        await this.#endpoints.setDisabled(primary, stop);
        if (!stop) this.#wake(primary);
      }
    }
    await this.#deps.ctx.save();
    return this.json(project);
  }

  /** DELETE (always a purge on the `database` API): the project goes, DELETING until it is gone. */
  delete(identity: string, name: string, purge: string | undefined) {
    if (purge !== undefined && purge !== "true") {
      throw invalidParameter(
        "purge=false is not supported: database instances can only be hard deleted (purge=true).",
      );
    }
    const project = this.require(identity, name, "CAN_MANAGE");
    if (this.#deleting.has(name)) return {};
    this.#deleting.add(name);
    void this.#lifecycle
      .purgeProject(project)
      .catch((error: unknown) =>
        this.#deps.ctx.log({
          event: "project_delete_failed",
          project: name,
          error: (error as Error).message,
        }),
      )
      .finally(() => this.#deleting.delete(name));
    return {};
  }

  /**
   * Checks a `database` API credential for projects named as instances (CAN_USE, not being deleted). The
   * token is scoped to the instance names, which the project's primary endpoint accepts, as would an
   * instance recreated under the same name (a token is for a name, as the app caches it).
   */
  checkCredential(identity: string, names: readonly string[]): void {
    for (const name of names) {
      const project = this.require(identity, name, "CAN_USE");
      if (!this.primary(project) || this.#deleting.has(name)) {
        throw invalidState(`Database instance '${name}' is being deleted.`);
      }
    }
  }

  /** The project as an instance, if `identity` holds `level` on it; else the `database` API's 403. */
  require(identity: string, name: string, level: PermissionLevel): ProjectRecord {
    const project = this.#require(name);
    if (!this.#deps.access.holds(identity, project, level)) {
      throw permissionDenied(
        `User ${identity} does not have ${level} permission on database instance '${name}'.`,
      );
    }
    return project;
  }

  permissions(identity: string, name: string) {
    const project = this.require(identity, name, "CAN_USE");
    return this.#instanceAcl(project);
  }

  async updatePermissions(identity: string, name: string, request: AclRequest, mode: "add" | "replace") {
    const project = this.require(identity, name, "CAN_MANAGE");
    await this.#deps.access.update(identity, project.project_id, request, mode);
    return this.#instanceAcl(project);
  }

  #instanceAcl(project: ProjectRecord) {
    return this.#instanceRules.json(project.project_id, project.acl);
  }

  #require(name: string): ProjectRecord {
    const project = this.find(name);
    if (!project) throw instanceNotFound(`Database instance '${name}' does not exist.`);
    return project;
  }

  #state(project: ProjectRecord, primary: EndpointRecord | undefined): string {
    if (this.#deleting.has(project.project_id)) return "DELETING";
    if (!primary || primary.status.disabled) return "STOPPED";
    const branch = this.#deps.ctx.postgres.branches[primary.parent];
    if (primary.status.current_state === "INIT" || branch?.status.current_state === "INIT") return "STARTING";
    if (this.#starting.has(primary.name)) return "STARTING";
    return "AVAILABLE";
  }

  /** `stopped: false`: the compute starts now (STARTING until it runs), as a start of an instance does. */
  #wake(primary: EndpointRecord): void {
    this.#starting.add(primary.name);
    void this.#deps.computes
      .target(primary)
      .catch((error: unknown) =>
        this.#deps.ctx.log({
          event: "start_failed",
          endpoint: primary.name,
          error: (error as Error).message,
        }),
      )
      .finally(() => this.#starting.delete(primary.name));
  }
}
