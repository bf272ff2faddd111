import type { LakebaseFlavour } from "@lakebase-orders/config";
import type { Logger } from "@lakebase-orders/log";
import { isSettled } from "@lakebase-orders/shared";
import type { OperationOutcomes } from "../operations/flavour.ts";
import type { OperationJournal } from "../operations/journal.ts";
import { createOperationLeases, type OperationLeases } from "../operations/lease.ts";
import { OperationLock } from "../operations/lock.ts";
import { type BackgroundOutcome, createOperations, type Operations } from "../operations/operations.ts";
import { createRecoveryLoop, type RecoveryLoop } from "../operations/recovery-loop.ts";
import type { Workflow } from "../operations/workflow.ts";
import { createPoller, type Poller } from "../status/poller.ts";
import { createStatusReader, type StatusReader } from "../status/reader.ts";
import type { ObservedSnapshot } from "../status/snapshot.ts";
import { createStatusView, EMPTY_SNAPSHOT, type StatusView } from "../status/view.ts";
import type { LakebaseNamesView, LakebaseStatus, OperationView } from "./types.ts";

/** What both flavours' admins take alike: the machinery's intervals, journal and hooks. */
export interface MachineryOptions {
  /** Interval of the shared status poller while things move, and of every wait (default 2000 ms). */
  pollIntervalMs?: number;
  /** Interval of the poller while subscribers watch a settled state (default 15 s). */
  settledPollIntervalMs?: number;
  /** How long a status snapshot serves status queries (default 3000 ms). */
  statusCacheMs?: number;
  /** Deadline of each wait for a resource to appear or go away (default 20 min). */
  stepTimeoutMs?: number;
  /** Called after an operation's background part ends (the audit row of its outcome). */
  onOperationFinished?: (op: OperationView, detail: unknown) => Promise<void>;
  /** Called when this process takes over an operation a stopped process left unfinished. */
  onOperationResumed?: (op: OperationView, detail: unknown) => Promise<void>;
  /** The journal shared by the app's processes (null: only this process's lock). */
  journal?: OperationJournal | null;
  /** Lease of a running operation after its holder's last renewal (default 30 s). */
  leaseSeconds?: number;
  /** True once the app's database answers and is migrated (the journal lives there). */
  databaseReady?: () => boolean;
}

/** What makes one flavour: its API, how it reads the resources, judges outcomes and carries an operation on. */
export interface FlavourParts<A> {
  flavour: LakebaseFlavour;
  /** null when no workspace is configured: status says so and mutations refuse. */
  api: A | null;
  names: LakebaseNamesView;
  read: (api: A) => Promise<ObservedSnapshot>;
  outcomes: OperationOutcomes;
  resume: (op: OperationView, w: Workflow<A>) => Promise<BackgroundOutcome>;
  log: Logger;
}

/** The flavour-neutral parts an admin is built on, wired together once. */
export interface Machinery {
  reader: StatusReader | null;
  lock: OperationLock;
  view: StatusView;
  poller: Poller<LakebaseStatus>;
  leases: OperationLeases;
  ops: Operations;
  recovery: RecoveryLoop | null;
  intervalMs: number;
  cacheMs: number;
  close(): Promise<void>;
}

/**
 * One operation lock per process, one lease across processes (the journal), the status view and its poller,
 * and the recovery of what a stopped process left: the same for a Provisioned instance and an Autoscaling
 * project, so both flavours' operations are judged, shown and taken over by one rule.
 */
export function createMachinery<A>(parts: FlavourParts<A>, options: MachineryOptions): Machinery {
  const { api, names, log, outcomes } = parts;
  const intervalMs = options.pollIntervalMs ?? 2000;
  const cacheMs = options.statusCacheMs ?? 3000;
  const stepTimeoutMs = options.stepTimeoutMs ?? 20 * 60_000;
  const leaseMs = (options.leaseSeconds ?? 30) * 1000;
  const journal = options.journal ?? null;
  const databaseReady = options.databaseReady ?? (() => true);
  let closed = false;
  const reader: StatusReader | null = api ? createStatusReader(() => parts.read(api), cacheMs, log) : null;

  const lock = new OperationLock(log, () => poller.kick());
  const view = createStatusView({
    configured: api !== null,
    flavour: parts.flavour,
    names,
    reader,
    journal,
    databaseReady,
    outcomes,
    running: () => lock.running,
    cacheMs,
  });
  const poller: Poller<LakebaseStatus> = createPoller({
    intervalMs,
    ...(options.settledPollIntervalMs !== undefined
      ? { settledIntervalMs: options.settledPollIntervalMs }
      : {}),
    fetch: () => view.status(0),
    // Volatile fields would make every poll look like a change.
    fingerprint: (s) => JSON.stringify({ ...s, fetchedAt: undefined }),
    settled: (s) => isSettled({ ...s, operation: lock.running ?? s.operation }),
    logger: log,
  });
  const leases = createOperationLeases({
    journal,
    // The journal's key: the instance name (an Autoscaling project's id, its name in the `database` API).
    instanceName: names.instanceName,
    leaseSeconds: leaseMs / 1000,
    databaseReady,
    snapshot: async () => (reader ? reader.read(0) : EMPTY_SNAPSHOT),
    // A running row whose process stopped, in the way of a claim: ended as the resources show it.
    staleHolder: (row) => recovery?.settleStale(row) ?? Promise.resolve(),
    log,
  });
  const ops = createOperations({
    names,
    lock,
    leases,
    reader,
    log,
    intervalMs,
    stepTimeoutMs,
    closed: () => closed,
    ...(options.onOperationFinished ? { onOperationFinished: options.onOperationFinished } : {}),
    onChange: () => view.changed(),
  });
  const recovery: RecoveryLoop | null =
    api && reader
      ? createRecoveryLoop<A>({
          api,
          names,
          reader,
          journal,
          databaseReady,
          lock,
          leases,
          ops,
          outcomes,
          resume: parts.resume,
          leaseMs,
          intervalMs,
          log,
          ...(options.onOperationResumed ? { onOperationResumed: options.onOperationResumed } : {}),
        })
      : null;

  return {
    reader,
    lock,
    view,
    poller,
    leases,
    ops,
    recovery,
    intervalMs,
    cacheMs,
    async close() {
      closed = true;
      poller.close();
      await recovery?.close();
      await ops.idle();
      leases.close();
    },
  };
}
