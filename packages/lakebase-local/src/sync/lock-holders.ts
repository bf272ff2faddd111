import pg from "pg";
import type { LockHold } from "../faults.ts";
import { pause } from "./connection.ts";
import { qualified } from "./ownership.ts";

/**
 * ACCESS EXCLUSIVE locks held on synced tables for a while, as a refresh or DDL would hold them (a fault
 * switch). Each is one transaction of its own session; stop() lets every one go.
 */
export class LockHolders {
  readonly #stop = new AbortController();
  readonly #held = new Set<Promise<void>>();

  async hold(
    connectionString: string,
    target: { schema: string; table: string },
    ms: number,
  ): Promise<LockHold> {
    const client = new pg.Client({ connectionString, application_name: "lakebase-local fault lock" });
    client.on("error", () => undefined);
    await client.connect();
    try {
      await client.query("BEGIN");
      // Itself queued behind a long reader, the fault waits at most this long to take the lock.
      await client.query("SET LOCAL lock_timeout = '30s'");
      await client.query(`LOCK TABLE ${qualified(target)} IN ACCESS EXCLUSIVE MODE`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    const acquiredAt = new Date().toISOString();
    const released = pause(ms, this.#stop.signal)
      .catch(() => undefined)
      .then(() => client.query("COMMIT"))
      .catch(() => undefined)
      .finally(() => client.end().catch(() => undefined))
      .then(() => undefined);
    this.#held.add(released);
    void released.finally(() => this.#held.delete(released));
    return { acquiredAt, released };
  }

  async releaseAll(): Promise<void> {
    this.#stop.abort(new Error("stopping"));
    await Promise.allSettled([...this.#held]);
  }
}
