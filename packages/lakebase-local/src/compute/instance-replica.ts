import { type ReplicationLag, type Standby, startStandby } from "@lakebase-orders/pg-local";
import { invalidState } from "../api-error.ts";
import type { Admission as Decision, FrontDoorLogin } from "../front-door/types.ts";
import type { ServiceContext } from "../state/context.ts";
import { Cluster } from "./cluster.ts";

/** How long a login on the secondary waits for a role or grant just made on the primary to reach it. */
const REPLAY_WAIT_MS = 30_000;

/**
 * The readable secondary of Provisioned instances: one hot standby of the instances' own (embedded)
 * cluster, fed by streaming replication with the configured apply delay, started at the first read-only
 * login. Every instance with readable secondaries has a second front door on the read-only address
 * (`read_only_dns`), same port, whose logins go through the instance's own login decision and are then
 * relayed to the standby. With an external cluster (`postgres.adminUrl`) there is no standby: it cannot be
 * base-backed-up from here, so `read_only_dns` names the primary, as before.
 */
export class InstanceReplica {
  readonly #ctx: ServiceContext;
  #delayMs: number;
  #standby: Standby | undefined;
  #starting: Promise<Standby> | undefined;
  #admin: Cluster | undefined;
  /** The standby promoted by a failover: the instances' primary from then on (stopped last). */
  #promoted: Standby | undefined;

  constructor(ctx: ServiceContext) {
    this.#ctx = ctx;
    this.#delayMs = ctx.deps.computes.replicaDelayMs;
  }

  /** Whether instances get a real secondary (the instances' cluster is ours and replication-ready). */
  get available(): boolean {
    return this.#ctx.deps.computes.instanceCluster !== undefined;
  }

  /** A read-only login: the instance's own decision, then the standby instead of the primary. */
  async admit(decide: () => Promise<Decision>, login: FrontDoorLogin): Promise<Decision> {
    const decision = await decide();
    if (!decision.ok) return decision;
    try {
      const standby = await this.#standbyNow();
      await this.#replayed(decision.upstream.database, login.user);
      return { ok: true, upstream: { ...decision.upstream, host: standby.host, port: standby.port } };
    } catch (error) {
      this.#ctx.log({ event: "secondary_error", error: (error as Error).message });
      return {
        ok: false,
        sqlState: "57P03",
        message: "the readable secondary is not available",
        reason: "secondary_error",
      };
    }
  }

  get delayMs(): number {
    return this.#delayMs;
  }

  async setDelay(ms: number): Promise<void> {
    this.#delayMs = ms;
    await this.#standby?.setApplyDelay(ms);
  }

  async lag(): Promise<ReplicationLag | null> {
    return this.#standby?.state === "running" ? this.#standby.lag() : null;
  }

  /**
   * Failover, for real: the instances' primary stops (its sessions end with 57P01), the standby applies
   * every WAL record it has received (the apply delay no longer holds it back) and is promoted, and the
   * instances' cluster is served by it from then on, on the same front doors and ports. Instances are
   * FAILING_OVER meanwhile (logins refused with 57P03). The next read-only login starts a new standby. Only
   * without a data dir (the promoted standby is temporary).
   */
  async failover(): Promise<void> {
    if (this.#ctx.deps.persistent) {
      // The promoted standby lives in a temporary folder: a restart would come back to the old data.
      throw invalidState("A failover needs a local Lakebase without a data dir.");
    }
    if (!this.available)
      throw invalidState("No readable secondary to fail over to: the instances' cluster is external.");
    const standby = await this.#standbyNow();
    const old = this.#primary();
    if (!old) throw new Error("lakebase-local: no primary to fail over from");
    const instances = Object.values(this.#ctx.state.instances).filter((i) => i.state === "AVAILABLE");
    for (const instance of instances) instance.state = "FAILING_OVER";
    const started = Date.now();
    try {
      await old.stop();
      await standby.promote();
      this.#ctx.cluster.repoint(standby.url("postgres"));
      this.#standby = undefined;
      this.#starting = undefined;
      this.#admin = undefined;
      this.#promoted = standby;
    } finally {
      for (const instance of instances) if (instance.state === "FAILING_OVER") instance.state = "AVAILABLE";
      await this.#ctx.save();
    }
    this.#ctx.log({ event: "failed_over", port: standby.port, ms: Date.now() - started });
  }

  /** Stops the standby (the primary, even a promoted one, is stopped by `stopPrimary`). */
  async stop(): Promise<void> {
    const standby = this.#standby ?? (await this.#starting?.catch(() => undefined));
    this.#standby = undefined;
    await standby?.stop();
  }

  /** After everything else: a promoted standby serves the instances' databases until the very end. */
  async stopPrimary(): Promise<void> {
    await this.#promoted?.stop();
  }

  /** The instances' primary: the own cluster, or the standby a failover promoted. */
  #primary() {
    return this.#promoted ?? this.#ctx.deps.computes.instanceCluster?.();
  }

  #standbyNow(): Promise<Standby> {
    if (this.#standby) return Promise.resolve(this.#standby);
    this.#starting ??= (async () => {
      await this.#ctx.cluster.ready();
      const primary = this.#primary();
      if (!primary)
        throw new Error("lakebase-local: the instances' cluster has no standby (external cluster)");
      const standby = await startStandby({ primary, applyDelayMs: this.#delayMs, fast: true });
      this.#standby = standby;
      this.#admin = new Cluster(standby.url("postgres"));
      this.#ctx.log({ event: "secondary_started", port: standby.port, applyDelayMs: this.#delayMs });
      return standby;
    })().catch((error: unknown) => {
      this.#starting = undefined;
      throw error;
    });
    return this.#starting;
  }

  /** A role made at this login (or its CONNECT) reaches the standby only after its apply delay. */
  async #replayed(database: string, role: string): Promise<void> {
    const admin = this.#admin;
    if (!admin) return;
    const deadline = Date.now() + this.#delayMs + REPLAY_WAIT_MS;
    for (;;) {
      const ready = await admin.withClient("postgres", async (c) => {
        const r = await c
          .query<{ ok: boolean }>(
            `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)
                  AND has_database_privilege($1, $2, 'CONNECT') AS ok`,
            [role, database],
          )
          .catch(() => ({ rows: [{ ok: false }] }));
        return r.rows[0]?.ok === true;
      });
      if (ready) return;
      if (Date.now() > deadline) throw new Error(`role "${role}" has not reached the secondary`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
