/** Thrown when no permit came free within the wait: the caller answers 503 with `Retry-After`. */
export class PermitTimeoutError extends Error {
  override readonly name = "PermitTimeoutError";
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * A counting semaphore with bounded, first-come waits: one permit per open connection of the user pools
 * together, so their sum never passes the cap whoever asks.
 */
export class Permits {
  readonly total: number;
  #free: number;
  readonly #waiters: { resolve: () => void; timer: NodeJS.Timeout }[] = [];

  constructor(total: number) {
    this.total = total;
    this.#free = total;
  }

  get inUse(): number {
    return this.total - this.#free;
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  tryTake(): boolean {
    if (this.#free === 0 || this.#waiters.length > 0) return false;
    this.#free--;
    return true;
  }

  /** Takes one permit, waiting at most `waitMs`; rejects with `PermitTimeoutError` after that. */
  take(waitMs: number): Promise<void> {
    if (this.tryTake()) return Promise.resolve();
    if (waitMs <= 0) return Promise.reject(this.#timeout(waitMs));
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        resolve,
        timer: setTimeout(() => {
          const at = this.#waiters.indexOf(waiter);
          if (at >= 0) this.#waiters.splice(at, 1);
          reject(this.#timeout(waitMs));
        }, waitMs),
      };
      waiter.timer.unref?.();
      this.#waiters.push(waiter);
    });
  }

  give(n = 1): void {
    for (let i = 0; i < n; i++) {
      const next = this.#waiters.shift();
      if (next) {
        clearTimeout(next.timer);
        next.resolve();
      } else {
        this.#free = Math.min(this.total, this.#free + 1);
      }
    }
  }

  #timeout(waitMs: number): PermitTimeoutError {
    return new PermitTimeoutError(
      `all ${this.total} user connections are in use (waited ${waitMs} ms)`,
      Math.max(1, Math.ceil(waitMs / 1000)),
    );
  }
}
