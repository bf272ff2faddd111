import type { BranchCluster } from "../compute/branch-cluster.ts";
import { BranchClusters } from "../compute/branch-clusters.ts";
import { ensureDatabase, ensureRole, ensureSuperuserRole } from "../compute/branch-objects.ts";
import { EndpointAdmission } from "../compute/endpoint-admission.ts";
import { EndpointComputes } from "../compute/endpoint-computes.ts";
import type { FrontDoors } from "../compute/front-doors.ts";
import type { Identities } from "../identity/identities.ts";
import type { ServiceContext } from "../state/context.ts";
import type { Pipelines } from "../sync/pipelines.ts";
import { SOURCE_TABLE } from "../sync/source/columns.ts";
import type { SchedulingPolicy } from "../sync/sync-state.ts";
import type { PostgresDeps } from "./deps.ts";
import { formatDuration } from "./durations.ts";
import { InstanceAliases } from "./instance-alias.ts";
import { projectName } from "./names.ts";
import { Operations } from "./operations.ts";
import { ProjectAccess } from "./project-access.ts";
import { Branches } from "./resources/branches.ts";
import { EndpointCredentials } from "./resources/credentials.ts";
import { Databases } from "./resources/databases.ts";
import { Endpoints } from "./resources/endpoints.ts";
import { Lifecycle } from "./resources/lifecycle.ts";
import { Projects } from "./resources/projects.ts";
import { Roles } from "./resources/roles.ts";
import { BranchCatalogs } from "./unity/branch-catalogs.ts";
import { BranchSyncedTables } from "./unity/branch-synced-tables.ts";

/** What `seed` makes: a project named like an instance, with a catalog and a synced table on its default branch. */
export interface ProjectSeed {
  projectId: string;
  catalogName: string;
  databaseName: string;
  /** Full UC name `catalog.schema.table`. */
  syncedTable: string;
  schedulingPolicy: SchedulingPolicy;
  /** Who creates the synced table (its manager in Postgres); a workspace admin. */
  syncedTableCreator: string;
}

/**
 * The Autoscaling flavour: the `postgres` API's resources over one cluster per branch and one compute per
 * endpoint, wired once here. The REST layer calls the resources; the front doors call `admission`.
 */
export class PostgresService {
  readonly access: ProjectAccess;
  readonly operations: Operations;
  readonly clusters: BranchClusters;
  readonly computes: EndpointComputes;
  readonly admission: EndpointAdmission;
  readonly projects: Projects;
  readonly branches: Branches;
  readonly endpoints: Endpoints;
  readonly databases: Databases;
  readonly roles: Roles;
  readonly credentials: EndpointCredentials;
  readonly catalogs: BranchCatalogs;
  readonly syncedTables: BranchSyncedTables;
  readonly aliases: InstanceAliases;
  readonly #lifecycle: Lifecycle;
  readonly #ctx: ServiceContext;
  readonly #doors: FrontDoors;

  constructor(ctx: ServiceContext, identities: Identities, doors: FrontDoors, pipelines: Pipelines) {
    this.#ctx = ctx;
    this.#doors = doors;
    this.access = new ProjectAccess(ctx, identities);
    this.operations = new Operations((event) => ctx.log(event));
    this.clusters = new BranchClusters(ctx, (cluster) => this.#materialize(cluster));
    this.computes = new EndpointComputes(ctx, this.clusters, (name) => doors.activity(name));
    const deps: PostgresDeps = {
      ctx,
      access: this.access,
      operations: this.operations,
      clusters: this.clusters,
      computes: this.computes,
      doors,
      identities,
    };
    this.admission = new EndpointAdmission(ctx, this.access, identities, this.computes);
    this.#lifecycle = new Lifecycle(deps);
    this.projects = new Projects(deps, this.#lifecycle);
    this.branches = new Branches(deps, this.#lifecycle);
    this.endpoints = new Endpoints(deps);
    this.databases = new Databases(deps);
    this.roles = new Roles(deps);
    this.credentials = new EndpointCredentials(deps);
    this.catalogs = new BranchCatalogs(deps, this.databases);
    this.syncedTables = new BranchSyncedTables(deps, this.databases, pipelines);
    this.#lifecycle.bindSyncedTables(this.syncedTables);
    this.aliases = new InstanceAliases(deps, this.endpoints, this.#lifecycle);
  }

  /**
   * The default project of the Autoscaling flavour, ready when this returns: its primary endpoint holds the
   * database with the catalog and the loaded synced table. What exists already (a restart) is kept.
   */
  async seed(seed: ProjectSeed, creator: string): Promise<void> {
    const name = projectName(seed.projectId);
    const { suspendAfterMs } = this.#ctx.deps.computes;
    if (!this.#ctx.postgres.projects[name]) {
      await this.projects.createNow(creator, seed.projectId, {
        primarySuspension:
          suspendAfterMs === undefined
            ? { no_suspension: true }
            : { suspend_timeout_duration: formatDuration(suspendAfterMs / 1000) },
      });
    }
    if (!this.#ctx.state.catalogs[seed.catalogName]) {
      await this.catalogs.createOnProject(creator, {
        name: seed.catalogName,
        project: name,
        database_name: seed.databaseName,
        create_database_if_not_exists: true,
      });
    }
    if (!this.#ctx.postgres.syncedTables[seed.syncedTable]) {
      await this.syncedTables.createFromDatabaseApi(seed.syncedTableCreator, {
        name: seed.syncedTable,
        spec: {
          source_table_full_name: SOURCE_TABLE,
          primary_key_columns: ["o_orderkey"],
          scheduling_policy: seed.schedulingPolicy,
          new_pipeline_spec: { storage_catalog: seed.catalogName, storage_schema: "default" },
        },
      });
      await this.syncedTables.wait(seed.syncedTable);
      const status = this.syncedTables.databaseApiGet(seed.syncedTable).data_synchronization_status;
      if (!status.detailed_state.startsWith("SYNCED_TABLE_ONLINE")) {
        throw new Error(`lakebase-local: seeding ${seed.syncedTable} failed: ${status.message}`);
      }
    }
  }

  /** After loading kept state: doors reopened, timers re-armed, unfinished work dropped or restarted. */
  async restore(): Promise<void> {
    const { postgres } = this.#ctx;
    for (const branch of Object.values(postgres.branches)) {
      if (branch.status.current_state === "INIT") {
        // Its copy never finished: as if it had never been asked for.
        await this.#lifecycle.purge(branch);
        continue;
      }
      this.#lifecycle.schedule(branch);
    }
    for (const endpoint of Object.values(postgres.endpoints)) {
      if (endpoint.status.current_state === "INIT") {
        endpoint.status.current_state = "IDLE";
        delete endpoint.status.pending_state;
      }
      await this.#doors.ensure(endpoint.name);
    }
    this.syncedTables.restore();
  }

  /** Shutting down, first step: no timer fires any more and the operations under way have finished. */
  async quiesce(): Promise<void> {
    this.#lifecycle.stopAll();
    await this.operations.settle();
  }

  async stop(): Promise<void> {
    await this.quiesce();
    await this.computes.stopAll();
    await this.clusters.stopAll();
  }

  /** A branch cluster was opened: its roles and databases exist (idempotent: made only when missing). */
  async #materialize(cluster: BranchCluster): Promise<void> {
    const { postgres } = this.#ctx;
    const { admin } = cluster.current ?? {};
    if (!admin) return;
    await ensureSuperuserRole(admin);
    for (const role of Object.values(postgres.roles)) {
      if (role.parent === cluster.branch) await ensureRole(admin, role.status);
    }
    for (const database of Object.values(postgres.databases)) {
      if (database.parent !== cluster.branch) continue;
      const owner = postgres.roles[database.status.role]?.status.postgres_role;
      await ensureDatabase(admin, database.status.postgres_database, owner);
    }
  }
}
