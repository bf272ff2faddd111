import { type ReplicationLag, type Standby, startStandby } from "@lakebase-orders/pg-local";
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

  async stop(): Promise<void> {
    const standby = this.#standby ?? (await this.#starting?.catch(() => undefined));
    this.#standby = undefined;
    await standby?.stop();
  }

  #standbyNow(): Promise<Standby> {
    if (this.#standby) return Promise.resolve(this.#standby);
    this.#starting ??= (async () => {
      await this.#ctx.cluster.ready();
      const primary = this.#ctx.deps.computes.instanceCluster?.();
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
