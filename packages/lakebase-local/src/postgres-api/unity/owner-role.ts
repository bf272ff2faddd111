import type { PostgresState, ProjectRecord } from "../../state/postgres-records.ts";
import { invalid } from "../errors.ts";

/**
 * The role that owns what the service creates on a branch for its users (a database a catalog or a synced
 * table creates): the project owner's role, else any `databricks_superuser` member.
 */
export function ownerRoleOf(postgres: PostgresState, branch: string, project: ProjectRecord): string {
  const roles = Object.values(postgres.roles).filter((r) => r.parent === branch);
  const owner =
    roles.find((r) => r.status.postgres_role === project.status.owner) ??
    roles.find((r) => r.status.membership_roles?.includes("DATABRICKS_SUPERUSER"));
  if (!owner) throw invalid(`Branch '${branch}' has no role that may own a new database.`);
  return owner.name;
}
