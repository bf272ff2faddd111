// Full resource names of the `postgres` API (`projects/p/branches/b/endpoints/e`), built and taken apart in
// one place. Ids are what the service accepts: 1-63 characters of [a-z0-9-], starting with a letter
// (databases and roles: at least 4).

/** An id of a project, branch or endpoint. */
export const RESOURCE_ID = /^[a-z][a-z0-9-]{0,62}$/;

export const projectName = (projectId: string) => `projects/${projectId}`;
export const branchName = (projectId: string, branchId: string) =>
  `${projectName(projectId)}/branches/${branchId}`;
export const endpointName = (projectId: string, branchId: string, endpointId: string) =>
  `${branchName(projectId, branchId)}/endpoints/${endpointId}`;
export const databaseName = (branch: string, databaseId: string) => `${branch}/databases/${databaseId}`;
export const catalogName = (catalogId: string) => `catalogs/${catalogId}`;
export const syncedTableName = (fullName: string) => `synced_tables/${fullName}`;

export interface EndpointPath {
  projectId: string;
  branchId: string;
  endpointId: string;
  project: string;
  branch: string;
  endpoint: string;
}

const ENDPOINT =
  /^projects\/([a-z][a-z0-9-]{0,62})\/branches\/([a-z][a-z0-9-]{0,62})\/endpoints\/([a-z][a-z0-9-]{0,62})$/;
const BRANCH = /^projects\/([a-z][a-z0-9-]{0,62})\/branches\/([a-z][a-z0-9-]{0,62})$/;

/** `projects/p/branches/b/endpoints/e` taken apart; null for anything else. */
export function parseEndpointName(name: string): EndpointPath | null {
  const m = ENDPOINT.exec(name);
  if (!m?.[1] || !m[2] || !m[3]) return null;
  return {
    projectId: m[1],
    branchId: m[2],
    endpointId: m[3],
    project: projectName(m[1]),
    branch: branchName(m[1], m[2]),
    endpoint: name,
  };
}

/** `projects/p/branches/b` taken apart; null for anything else. */
export function parseBranchName(name: string): { projectId: string; branchId: string } | null {
  const m = BRANCH.exec(name);
  return m?.[1] && m[2] ? { projectId: m[1], branchId: m[2] } : null;
}

/** The last segment of a resource name (its id). */
export function idOf(name: string): string {
  return name.slice(name.lastIndexOf("/") + 1);
}

/** The resource an operation belongs to (`<resource>/operations/<id>`). */
export function resourceOfOperation(operationName: string): string {
  const at = operationName.lastIndexOf("/operations/");
  return at < 0 ? operationName : operationName.slice(0, at);
}
