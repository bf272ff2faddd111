import type { ResourceSnapshot } from "../status/snapshot.ts";
import type { OperationKind } from "./recorded.ts";

/** Where an operation stands, as the resources show it (not as any process remembers it). */
export type OutcomeCheck =
  /** What it set out to do is true now (`note`: what has happened since, e.g. started again). */
  | { state: "reached"; note: string | null }
  /** Databricks is on its way there (`step` in words for the console). */
  | { state: "moving"; step: string }
  /** It cannot get there any more (a failed sync, an instance that vanished). */
  | { state: "failed"; error: string }
  /** Nothing shows it happened: it was interrupted before Databricks was asked, or must be resumed. */
  | { state: "not-reached" };

/**
 * A flavour's word on outcomes: the machinery (journal, leases, recovery, status) stays flavour-neutral and
 * asks this whether an operation of `kind` has reached its end in a snapshot. `landed`: the resources carry
 * this very operation (its call reached Databricks).
 */
export interface OperationOutcomes {
  check(kind: OperationKind, snapshot: ResourceSnapshot, landed: boolean): OutcomeCheck;
}
