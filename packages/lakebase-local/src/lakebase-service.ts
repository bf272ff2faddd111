import { READ_ONLY_HOST } from "./compute/addresses.ts";
import { Admission } from "./compute/admission.ts";
import { FrontDoors } from "./compute/front-doors.ts";
import { InstanceReplica } from "./compute/instance-replica.ts";
import { Catalogs } from "./database-api/catalogs.ts";
import { Credentials } from "./database-api/credentials.ts";
import { Instances } from "./database-api/instances.ts";
import { SyncedTables } from "./database-api/synced-tables.ts";
import { Transitions } from "./database-api/transitions.ts";
import { Permissions } from "./identity/permissions.ts";
import { PostgresService } from "./postgres-api/postgres-service.ts";
import { ServiceContext, type ServiceDeps } from "./state/context.ts";
import type { LocalState } from "./state/records.ts";
import { Pipelines } from "./sync/pipelines.ts";

/**
 * The emulated Lakebase: one object per resource (instances, credentials, catalogs, synced tables,
 * permissions), the instance state machine, the front doors and their login decision, wired once here. The REST layer calls
 * the resources; this facade only starts and stops the whole.
 */
export class LakebaseService {
  readonly instances: Instances;
  readonly credentials: Credentials;
  readonly catalogs: Catalogs;
  readonly syncedTables: SyncedTables;
  readonly permissions: Permissions;
  readonly frontDoors: FrontDoors;
  /**
   * The sync pipelines of every synced table (on an instance or on a branch), the Pipelines API behind them,
   * and the changing source.
   */
  readonly pipelines: Pipelines;
  /** The Autoscaling flavour: projects, branches, endpoints (the `postgres` API). */
  readonly postgres: PostgresService;
  /** The instances' readable secondary (a hot standby of their cluster, when it is ours). */
  readonly replica: InstanceReplica;
  readonly #ctx: ServiceContext;
  readonly #transitions: Transitions;
  readonly #readOnlyDoor: (name: string) => Promise<void>;

  constructor(deps: ServiceDeps) {
    const ctx = new ServiceContext(deps);
    const permissions = new Permissions(ctx, deps.identities);
    const admission = new Admission(ctx, permissions);
    // One front door per instance or endpoint; endpoint names are resource names (`projects/...`).
    const frontDoors = new FrontDoors(ctx, (name, login) =>
      name.startsWith("projects/")
        ? this.postgres.admission.admit(name, login)
        : admission.admit(name, login),
    );
    const pipelines = new Pipelines(ctx);
    const transitions = new Transitions(ctx, frontDoors, pipelines);
    this.#ctx = ctx;
    this.pipelines = pipelines;
    this.#transitions = transitions;
    this.frontDoors = frontDoors;
    this.permissions = permissions;
    const replica = new InstanceReplica(ctx);
    this.replica = replica;
    const readOnlyDoor = async (name: string) => {
      if (!replica.available) return;
      await frontDoors.ensureReadOnly(name, READ_ONLY_HOST, (login) =>
        replica.admit(() => admission.admit(name, login), login),
      );
    };
    this.#readOnlyDoor = readOnlyDoor;
    this.instances = new Instances(ctx, frontDoors, transitions, permissions, readOnlyDoor);
    this.credentials = new Credentials(ctx, permissions);
    this.catalogs = new Catalogs(ctx, permissions);
    this.syncedTables = new SyncedTables(ctx, pipelines, permissions);
    this.postgres = new PostgresService(ctx, deps.identities, frontDoors, pipelines);
  }

  get state(): LocalState {
    return this.#ctx.state;
  }

  /** The apply delay of every hot standby, now and for those started later. */
  async setReplicaDelay(ms: number): Promise<void> {
    await this.replica.setDelay(ms);
    await this.postgres.computes.setReplicaDelay(ms);
  }

  /**
   * Fails the instances' cluster over to its readable secondary. The source lives on that cluster too: its
   * connections went with the old primary, so it reopens on the promoted one at its next use.
   */
  async failover(): Promise<void> {
    await this.replica.failover();
    await this.pipelines.source.close();
  }

  /** Resolves when the synced table's pipeline has finished (or at once when none runs). */
  waitForPipeline(name: string): Promise<void> {
    return this.pipelines.wait(name);
  }

  /** After loading persisted state: reopen front doors and resume what was in flight. */
  async restore(): Promise<void> {
    const { state } = this.#ctx;
    for (const record of Object.values(state.instances)) {
      await this.frontDoors.ensure(record.name);
      if (record.enable_readable_secondaries) await this.#readOnlyDoor(record.name);
      await this.#transitions.resume(record);
    }
    // Pipelines resume: an interrupted initial snapshot starts over, CONTINUOUS ones go on.
    this.syncedTables.restore();
    await this.postgres.restore();
  }

  async stop(): Promise<void> {
    const ctx = this.#ctx;
    if (ctx.stopped) return;
    ctx.stopped = true;
    await this.#transitions.stopAll();
    // Every pipeline (branch ones too) ends before the branch clusters stop under it, and after the
    // operations that may still register one (a synced table being created).
    await this.postgres.quiesce();
    await this.pipelines.stop();
    await this.postgres.stop();
    await this.frontDoors.closeAll();
    await this.replica.stop();
    if (ctx.deps.persistent) {
      await ctx.deps.stateFile?.save(ctx.state);
    } else {
      await this.#dropAllPhysical();
    }
    await this.replica.stopPrimary();
  }

  async #dropAllPhysical(): Promise<void> {
    const { cluster, state } = this.#ctx;
    if (!cluster.started) return;
    const prefix = `lb_${state.localId}_`;
    const names = await cluster.withClient("postgres", async (c) => {
      const r = await c.query<{ datname: string }>(
        "SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
        [prefix],
      );
      return r.rows.map((row) => row.datname);
    });
    for (const name of names) await cluster.dropDatabase(name);
  }
}
