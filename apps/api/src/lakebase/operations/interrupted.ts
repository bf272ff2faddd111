/**
 * An operation stopped before its end without an outcome of its own: the app is closing (SIGTERM), or another
 * process took its lease. Its journal row stays running (a closing process lets its lease run out at once), so
 * the process that holds the lease next resumes it or, once the resources show how it ended, records that.
 */
export class OperationInterrupted extends Error {
  readonly reason: "closing" | "lease-lost";

  constructor(reason: "closing" | "lease-lost", message: string) {
    super(message);
    this.name = "OperationInterrupted";
    this.reason = reason;
  }
}

export function isInterrupted(error: unknown): error is OperationInterrupted {
  return error instanceof OperationInterrupted;
}
