import { permissionDenied } from "../api-error.ts";
import { AclRules } from "../identity/acl-rules.ts";
import type { Identities } from "../identity/identities.ts";
import type { AclRequest } from "../identity/schemas.ts";
import type { PermissionLevel } from "../state/acl.ts";
import type { ServiceContext } from "../state/context.ts";
import type { BranchRecord, EndpointRecord, ProjectRecord } from "../state/postgres-records.ts";
import { notFound } from "./errors.ts";
import { projectName, projectOf } from "./names.ts";

const DESCRIPTIONS: Record<PermissionLevel, string> = {
  CAN_USE: "Can use the project: generate database credentials for its endpoints and log in.",
  CAN_MANAGE:
    "Can manage the project: its branches, endpoints, databases, roles, catalogs, synced tables and permissions.",
};

/**
 * Who may do what on a project (`/api/2.0/permissions/database-projects/{id}`, the object type Databricks'
 * CLI uses): CAN_USE for credentials, CAN_MANAGE for every change; reads are open. Also the lookups every
 * `postgres` API resource starts with, each a 404 NOT_FOUND of its kind when missing.
 */
export class ProjectAccess {
  readonly #ctx: ServiceContext;
  readonly rules: AclRules;

  constructor(ctx: ServiceContext, identities: Identities) {
    this.#ctx = ctx;
    this.rules = new AclRules(identities, "database-projects");
  }

  project(name: string): ProjectRecord {
    const record = this.#ctx.postgres.projects[name];
    if (!record) throw notFound("project");
    return record;
  }

  /** The branch, its project checked first (as the service answers: the first missing level). */
  branch(name: string): BranchRecord {
    this.project(projectOf(name));
    const record = this.#ctx.postgres.branches[name];
    if (!record) throw notFound("branch");
    return record;
  }

  endpoint(name: string): EndpointRecord {
    this.branch(name.split("/").slice(0, 4).join("/"));
    const record = this.#ctx.postgres.endpoints[name];
    if (!record) throw notFound("endpoint");
    return record;
  }

  holds(identity: string, project: ProjectRecord, level: PermissionLevel): boolean {
    return this.rules.holds(identity, project.acl, level);
  }

  /** The project of `name` (any resource under it) if `identity` holds `level` on it; else 403. */
  require(identity: string, name: string, level: PermissionLevel): ProjectRecord {
    const project = this.project(projectOf(name));
    if (!this.holds(identity, project, level)) {
      throw permissionDenied(
        `User ${identity} does not have ${level} permission on project '${project.project_id}'.`,
      );
    }
    return project;
  }

  get(identity: string, projectId: string) {
    const project = this.require(identity, projectName(projectId), "CAN_USE");
    return this.rules.json(project.project_id, project.acl);
  }

  levels(identity: string, projectId: string) {
    this.require(identity, projectName(projectId), "CAN_USE");
    return this.rules.levels(DESCRIPTIONS);
  }

  async update(identity: string, projectId: string, request: AclRequest, mode: "add" | "replace") {
    const project = this.require(identity, projectName(projectId), "CAN_MANAGE");
    project.acl = this.rules.merged(project.acl, request, mode);
    await this.#ctx.save();
    this.#ctx.log({ event: "permissions_updated", project: projectId, by: identity, mode });
    return this.rules.json(project.project_id, project.acl);
  }
}
