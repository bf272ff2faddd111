import type { LocalPostgres } from "@lakebase-orders/pg-local";
import { notFound } from "../api-error.ts";
import { physicalDatabaseName } from "../compute/addresses.ts";
import type { Cluster } from "../compute/cluster.ts";
import type { Faults } from "../faults.ts";
import type { TlsMaterial } from "../front-door/certificate.ts";
import type { Identities } from "../identity/identities.ts";
import type { TokenStore } from "../identity/tokens.ts";
import { emptyPostgresState, type PostgresState } from "./postgres-records.ts";
import type { InstanceRecord, LocalState } from "./records.ts";
import type { StateFile } from "./state-file.ts";

export interface Timings {
  /** STARTING -> AVAILABLE (create, start, resize). */
  instanceStartMs: number;
  /** DELETING -> gone. */
  instanceDeleteMs: number;
  /** Pause between synced-table pipeline phases and between a Pipelines API update's states. */
  pipelineStepMs: number;
  /**
   * How often a CONTINUOUS pipeline applies the source's new changes. Databricks' minimum is 15 s; the
   * local default is 1 s so that tests and dev see changes within seconds.
   */
  continuousIntervalMs: number;
}

export type LogEvent = Record<string, unknown> & { event: string };

export interface ServiceDeps {
  cluster: Cluster;
  state: LocalState;
  stateFile?: StateFile;
  tokens: TokenStore;
  identities: Identities;
  faults: Faults;
  timings: Timings;
  sourceRows: number;
  /** At most this many source changes per pipeline transaction (incremental updates). */
  syncBatchRows: number;
  tokenTtlSeconds: number;
  /** Keep physical databases on stop (a dataDir was given). */
  persistent: boolean;
  /** Every front door's certificate (signed by this LakebaseLocal's CA). */
  tls: TlsMaterial;
  /** Refuse unencrypted Postgres logins, as Lakebase does. */
  requireTls: boolean;
  log: (event: LogEvent) => void;
  /** Autoscaling computes: where branch clusters live and how scale to zero behaves. */
  computes: ComputeSettings;
}

export interface ComputeSettings {
  /** Root of kept branch clusters (`<dataDir>/branches`); undefined: temporary clusters removed on stop. */
  branchesDir: string | undefined;
  /**
   * Scale to zero after this many ms without queries, below the real 60 s minimum: the default project's
   * endpoints get it, and every endpoint with a suspend timeout uses it instead of its own. Undefined:
   * endpoints use their `suspend_timeout_duration`.
   */
  suspendAfterMs: number | undefined;
  /** Added to the real start of a suspended compute when a connection wakes it. */
  wakeDelayMs: number;
  /** Apply delay of every standby (readable secondaries and read-only endpoints). */
  replicaDelayMs: number;
  /**
   * The instances' cluster when it is this local Lakebase's own (replication-ready: instances' readable
   * secondaries are a standby of it); undefined with an external cluster.
   */
  instanceCluster: (() => LocalPostgres | undefined) | undefined;
}

/**
 * What every part of the service shares: the dependencies, the resource state, and the few rules about it
 * that all of them apply the same way (a missing instance is a 404, where an instance's database lives, when
 * the state is written).
 */
export class ServiceContext {
  readonly deps: ServiceDeps;
  /** Set once by stop(): timers and late work then leave the state alone. */
  stopped = false;

  constructor(deps: ServiceDeps) {
    this.deps = deps;
  }

  get state(): LocalState {
    return this.deps.state;
  }

  get cluster(): Cluster {
    return this.deps.cluster;
  }

  /** The Autoscaling resources (projects, branches, endpoints, databases, roles). */
  get postgres(): PostgresState {
    this.deps.state.postgres ??= emptyPostgresState();
    return this.deps.state.postgres;
  }

  log(event: LogEvent): void {
    this.deps.log(event);
  }

  /** The instance record, or Databricks' 404. */
  instance(name: string): InstanceRecord {
    const record = this.deps.state.instances[name];
    if (!record) throw notFound(`Database instance '${name}' does not exist.`);
    return record;
  }

  physical(instance: string, database: string): string {
    return physicalDatabaseName(this.deps.state.localId, instance, database);
  }

  async save(): Promise<void> {
    if (this.stopped && !this.deps.persistent) return;
    await this.deps.stateFile?.save(this.deps.state);
  }
}
