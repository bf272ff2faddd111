import { invalid } from "./errors.ts";

/** Project, branch and endpoint ids: 1-63 lowercase letters, digits and hyphens, starting with a letter. */
export const RESOURCE_ID = /^[a-z][a-z0-9-]{0,62}$/;
/** Database and role ids: the same, 4-63 characters. */
export const SHORT_ID = /^[a-z][a-z0-9-]{3,62}$/;
/** Databases that belong to the cluster itself, never to a branch's user. */
export const RESERVED_DATABASES = new Set(["postgres", "template0", "template1"]);

export const ROOT_BRANCH = "production";
export const PRIMARY_ENDPOINT = "primary";
export const DEFAULT_DATABASE = "databricks_postgres";

export const projectName = (projectId: string) => `projects/${projectId}`;
export const branchName = (project: string, branchId: string) => `${project}/branches/${branchId}`;
export const endpointName = (branch: string, endpointId: string) => `${branch}/endpoints/${endpointId}`;

export function checkId(id: string, field: string, pattern = RESOURCE_ID): void {
  if (!pattern.test(id)) {
    const length = pattern === SHORT_ID ? "4-63" : "1-63";
    throw invalid(
      `Field '${field}' must be ${length} characters, start with a lowercase letter, and contain only lowercase letters, numbers and hyphens (RFC 1123).`,
    );
  }
}

/** The last segment of a resource name (`projects/p/branches/b` -> `b`). */
export function idOf(name: string): string {
  return name.slice(name.lastIndexOf("/") + 1);
}

/** The parent of a resource name (`projects/p/branches/b/endpoints/e` -> `projects/p/branches/b`). */
export function parentOf(name: string): string {
  const parts = name.split("/");
  return parts.slice(0, -2).join("/");
}

/** `projects/p` from any name under it. */
export function projectOf(name: string): string {
  return name.split("/").slice(0, 2).join("/");
}

/**
 * A valid id for a Postgres name (a role's email, a database name): lowercase, other characters as hyphens,
 * starting with a letter, 4-63 characters. Used for the ids of what the service creates itself.
 */
export function idFor(postgresName: string): string {
  let id = postgresName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^[^a-z]+/, "");
  id = id.replace(/-+$/, "").slice(0, 63);
  if (id.length < 4) id = `${id || "r"}-${"x".repeat(3)}`.slice(0, 63);
  return id;
}
