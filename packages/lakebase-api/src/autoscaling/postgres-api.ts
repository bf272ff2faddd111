import type { WorkspaceClient } from "@databricks/sdk-experimental";
import { isNotFound } from "../errors.ts";
import { pollOperation, type WaitOptions } from "./operations.ts";
import { type Method, PostgresTransport, type Query } from "./transport.ts";
import type {
  Branch,
  BranchSpec,
  Catalog,
  CatalogSpec,
  Credential,
  CredentialRequest,
  Database,
  DatabaseSpec,
  Endpoint,
  EndpointSpec,
  Operation,
  Page,
  PageRequest,
  Project,
  ProjectCreateBody,
  ProjectSpec,
  Role,
  RoleSpec,
  SyncedTable,
  SyncedTableSpec,
} from "./types.ts";
import { updateMaskOf } from "./update-mask.ts";

export interface PostgresApiOptions {
  /** Deadline of every call, the SDK's retries included (default 30 s; DATABRICKS_TIMEOUT_SECONDS). */
  timeoutMs?: number;
}

/** What a delete's operation answers when done (`google.protobuf.Empty`). */
export type Empty = Record<string, never>;

type Paged = PageRequest & { showDeleted?: boolean };

/**
 * The Lakebase Autoscaling calls (the `postgres` API: projects, branches, endpoints, databases, roles,
 * catalogs, synced tables, credentials, operations), typed, over the SDK's own client
 * (`@databricks/sdk-experimental` has no postgres service; AppKit calls this API the same way). Resources
 * are named by their full names (`projects/p/branches/b`; builders in names.ts). Getters answer null for
 * 404 only; every mutation answers its Operation (`wait` polls it to the resource); every other error is
 * thrown as the SDK's ApiError, classified by errors.ts. Every call has a deadline.
 *
 * @example
 * const api = new PostgresApi(w);
 * const op = await api.createBranch("projects/orders", "pr-42", { ttl: "86400s" });
 * const branch = await api.wait(op);
 */
export class PostgresApi {
  readonly #t: PostgresTransport;

  constructor(w: WorkspaceClient, options: PostgresApiOptions = {}) {
    this.#t = new PostgresTransport(w, options.timeoutMs ?? 30_000);
  }

  // Projects

  getProject(name: string): Promise<Project | null> {
    return this.#get(name);
  }

  listProjects(page: Paged = {}): Promise<Page<Project>> {
    return this.#list("projects", "projects", page);
  }

  /** Also creates the root branch `production`, its R/W endpoint `primary` and `databricks_postgres`. */
  createProject(projectId: string, body: ProjectCreateBody = {}): Promise<Operation<Project>> {
    return this.#mutate("POST", "projects", { query: { project_id: projectId }, body });
  }

  updateProject(name: string, spec: ProjectSpec): Promise<Operation<Project>> {
    return this.#update(name, spec);
  }

  /** Soft delete unless `purge` (then gone for good, with every branch). */
  deleteProject(name: string, options: { purge?: boolean } = {}): Promise<Operation<Empty>> {
    return this.#mutate("DELETE", name, { query: { purge: options.purge } });
  }

  undeleteProject(name: string): Promise<Operation<Project>> {
    return this.#mutate("POST", `${name}/undelete`, { body: {} });
  }

  // Branches

  getBranch(name: string): Promise<Branch | null> {
    return this.#get(name);
  }

  listBranches(project: string, page: Paged = {}): Promise<Page<Branch>> {
    return this.#list(`${project}/branches`, "branches", page);
  }

  /**
   * A copy of `spec.source_branch` (default: the project's default branch) at its head, or at
   * `source_branch_time` / `source_branch_lsn`; exactly one of `ttl`, `expire_time`, `no_expiry`. It comes
   * with its own R/W endpoint `primary`. `replaceExisting` adopts an existing branch of that id.
   */
  createBranch(
    project: string,
    branchId: string,
    spec: BranchSpec,
    options: { replaceExisting?: boolean } = {},
  ): Promise<Operation<Branch>> {
    return this.#mutate("POST", `${project}/branches`, {
      query: { branch_id: branchId, replace_existing: options.replaceExisting || undefined },
      body: { spec },
    });
  }

  /** e.g. `{ttl: "3600s"}` (mask `spec.expiration`), `{is_protected: true}`. */
  updateBranch(name: string, spec: BranchSpec): Promise<Operation<Branch>> {
    return this.#update(name, spec);
  }

  /** Soft delete unless `purge`; the root branch, a protected branch and the default branch refuse (400). */
  deleteBranch(
    name: string,
    options: { purge?: boolean; allowMissing?: boolean } = {},
  ): Promise<Operation<Empty>> {
    return this.#mutate("DELETE", name, {
      query: { purge: options.purge, allow_missing: options.allowMissing },
    });
  }

  undeleteBranch(name: string): Promise<Operation<Branch>> {
    return this.#mutate("POST", `${name}/undelete`, { body: {} });
  }

  // Endpoints

  getEndpoint(name: string): Promise<Endpoint | null> {
    return this.#get(name);
  }

  listEndpoints(branch: string, page: PageRequest = {}): Promise<Page<Endpoint>> {
    return this.#list(`${branch}/endpoints`, "endpoints", page);
  }

  /** A branch has one READ_WRITE endpoint (its `primary`); add READ_ONLY ones. */
  createEndpoint(
    branch: string,
    endpointId: string,
    spec: EndpointSpec,
    options: { replaceExisting?: boolean } = {},
  ): Promise<Operation<Endpoint>> {
    return this.#mutate("POST", `${branch}/endpoints`, {
      query: { endpoint_id: endpointId, replace_existing: options.replaceExisting || undefined },
      body: { spec },
    });
  }

  /** Min/max CU, suspend timeout (`suspend_timeout_duration` | `no_suspension`), `disabled`, ... */
  updateEndpoint(name: string, spec: EndpointSpec): Promise<Operation<Endpoint>> {
    return this.#update(name, spec);
  }

  /** A branch's R/W endpoint cannot be deleted (400); it goes with its branch. */
  deleteEndpoint(name: string): Promise<Operation<Empty>> {
    return this.#mutate("DELETE", name);
  }

  // Databases and roles

  getDatabase(name: string): Promise<Database | null> {
    return this.#get(name);
  }

  listDatabases(branch: string, page: PageRequest = {}): Promise<Page<Database>> {
    return this.#list(`${branch}/databases`, "databases", page);
  }

  createDatabase(branch: string, databaseId: string, spec: DatabaseSpec): Promise<Operation<Database>> {
    return this.#mutate("POST", `${branch}/databases`, {
      query: { database_id: databaseId },
      body: { spec },
    });
  }

  deleteDatabase(name: string): Promise<Operation<Empty>> {
    return this.#mutate("DELETE", name);
  }

  getRole(name: string): Promise<Role | null> {
    return this.#get(name);
  }

  listRoles(branch: string, page: PageRequest = {}): Promise<Page<Role>> {
    return this.#list(`${branch}/roles`, "roles", page);
  }

  createRole(branch: string, roleId: string, spec: RoleSpec): Promise<Operation<Role>> {
    return this.#mutate("POST", `${branch}/roles`, { query: { role_id: roleId }, body: { spec } });
  }

  deleteRole(name: string, options: { reassignOwnedTo?: string } = {}): Promise<Operation<Empty>> {
    return this.#mutate("DELETE", name, { query: { reassign_owned_to: options.reassignOwnedTo } });
  }

  // Catalogs and synced tables (top level; no list, no update)

  /** `catalogs/{id}` */
  getCatalog(name: string): Promise<Catalog | null> {
    return this.#get(name);
  }

  createCatalog(catalogId: string, spec: CatalogSpec): Promise<Operation<Catalog>> {
    return this.#mutate("POST", "catalogs", { query: { catalog_id: catalogId }, body: { spec } });
  }

  deleteCatalog(name: string): Promise<Operation<Empty>> {
    return this.#mutate("DELETE", name);
  }

  /** `synced_tables/{catalog}.{schema}.{table}` */
  getSyncedTable(name: string): Promise<SyncedTable | null> {
    return this.#get(name);
  }

  /** `syncedTableId` is the table's Unity Catalog name, `catalog.schema.table`. */
  createSyncedTable(syncedTableId: string, spec: SyncedTableSpec): Promise<Operation<SyncedTable>> {
    return this.#mutate("POST", "synced_tables", {
      query: { synced_table_id: syncedTableId },
      body: { spec },
    });
  }

  deleteSyncedTable(name: string): Promise<Operation<Empty>> {
    return this.#mutate("DELETE", name);
  }

  // Credentials and operations

  /** A Postgres password for one endpoint (`{token, expire_time}`), valid up to an hour, checked at login. */
  async generateCredential(request: CredentialRequest): Promise<Credential> {
    const body = await this.#t.call<Partial<Credential>>("POST", "credentials", { body: request });
    if (typeof body.token !== "string" || typeof body.expire_time !== "string") {
      throw new Error("the credential answer has no token or expire_time");
    }
    return { token: body.token, expire_time: body.expire_time };
  }

  getOperation<T = unknown>(name: string): Promise<Operation<T>> {
    return this.#t.call("GET", name);
  }

  /** Polls the operation until done: its resource (Empty for a delete), or an OperationFailedError. */
  wait<T>(operation: Operation<T>, options: WaitOptions = {}): Promise<T> {
    return pollOperation((name) => this.getOperation<T>(name), operation, options);
  }

  /** Every item of a paged list (at most `limit`, default 1000), following `next_page_token`. */
  async all<T>(list: (page: PageRequest) => Promise<Page<T>>, limit = 1000): Promise<T[]> {
    const items: T[] = [];
    let pageToken: string | undefined;
    do {
      const page = await list({ pageSize: 100, ...(pageToken ? { pageToken } : {}) });
      items.push(...page.items);
      pageToken = page.nextPageToken ?? undefined;
    } while (pageToken && items.length < limit);
    return items.slice(0, limit);
  }

  async #get<T>(name: string): Promise<T | null> {
    try {
      return await this.#t.call<T>("GET", name);
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async #list<T>(path: string, key: string, page: Paged): Promise<Page<T>> {
    const query: Query = {
      page_size: page.pageSize,
      page_token: page.pageToken,
      show_deleted: page.showDeleted || undefined,
    };
    const body = await this.#t.call<Record<string, unknown>>("GET", path, { query });
    const items = Array.isArray(body[key]) ? (body[key] as T[]) : [];
    const next = body.next_page_token;
    return { items, nextPageToken: typeof next === "string" && next !== "" ? next : null };
  }

  #mutate<T>(method: Method, path: string, options: { query?: Query; body?: unknown } = {}) {
    return this.#t.call<Operation<T>>(method, path, options);
  }

  #update<T>(name: string, spec: EndpointSpec | BranchSpec | ProjectSpec): Promise<Operation<T>> {
    return this.#t.call<Operation<T>>("PATCH", name, {
      query: { update_mask: updateMaskOf(spec) },
      body: { spec },
    });
  }
}
