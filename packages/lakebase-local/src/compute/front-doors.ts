import { startFrontDoor } from "../front-door/server.ts";
import type {
  Admission,
  FrontDoor,
  FrontDoorActivity,
  FrontDoorCounters,
  FrontDoorEvent,
  FrontDoorLogin,
} from "../front-door/types.ts";
import type { ServiceContext } from "../state/context.ts";

const READ_ONLY_PREFIX = "read-only:";

/** The login decision for the front door of the instance `name`. */
export type Admit = (name: string, login: FrontDoorLogin) => Promise<Admission>;

/**
 * One Postgres front door per instance name (Provisioned) or endpoint name (Autoscaling). A front door outlives its instance (it refuses logins while
 * none exists), so a recreated instance of the same name is reachable on the same port for the life of this
 * LakebaseLocal; with a data dir the port is kept across restarts when it is still free.
 */
export class FrontDoors {
  readonly #ctx: ServiceContext;
  readonly #admit: Admit;
  readonly #doors = new Map<string, FrontDoor>();

  constructor(ctx: ServiceContext, admit: Admit) {
    this.#ctx = ctx;
    this.#admit = admit;
  }

  async ensure(name: string): Promise<void> {
    if (this.#doors.has(name)) return;
    const { state } = this.#ctx;
    const wanted = state.ports[name] ?? 0;
    const log = (event: FrontDoorEvent) =>
      this.#ctx.log({ ...event, instance: name, event: `front_door_${event.event}` });
    const { tls, requireTls } = this.#ctx.deps;
    const options = { admit: (login: FrontDoorLogin) => this.#admit(name, login), log, tls, requireTls };
    let door: FrontDoor;
    try {
      door = await startFrontDoor({ ...options, port: wanted });
    } catch (error) {
      if (wanted === 0) throw error;
      this.#ctx.log({ event: "front_door_port_taken", instance: name, port: wanted });
      door = await startFrontDoor({ ...options, port: 0 });
    }
    this.#doors.set(name, door);
    state.ports[name] = door.port;
  }

  /**
   * The read-only front door of an instance: the same port on the read-only address, with its own login
   * decision (relayed to the secondary). False when that address cannot be bound (no such loopback).
   */
  async ensureReadOnly(
    name: string,
    host: string,
    admit: (login: FrontDoorLogin) => Promise<Admission>,
  ): Promise<boolean> {
    const key = `${READ_ONLY_PREFIX}${name}`;
    if (this.#doors.has(key)) return true;
    const port = this.#ctx.state.ports[name];
    if (port === undefined) return false;
    const { tls, requireTls } = this.#ctx.deps;
    const log = (event: FrontDoorEvent) =>
      this.#ctx.log({ ...event, instance: name, readOnly: true, event: `front_door_${event.event}` });
    try {
      this.#doors.set(key, await startFrontDoor({ host, port, admit, log, tls, requireTls }));
      return true;
    } catch (error) {
      this.#ctx.log({
        event: "read_only_door_unavailable",
        instance: name,
        host,
        error: (error as Error).message,
      });
      return false;
    }
  }

  hasReadOnly(name: string): boolean {
    return this.#doors.has(`${READ_ONLY_PREFIX}${name}`);
  }

  port(name: string): number | undefined {
    return this.#ctx.state.ports[name];
  }

  /**
   * Moves a door's port to another name (its door closed): a project purged through the `database` API
   * leaves its primary endpoint's port to a new instance of the same name, and a project created with the
   * name of a deleted instance takes that instance's port, so clients keep the port they were given.
   */
  async handOver(from: string, to: string): Promise<void> {
    const { ports } = this.#ctx.state;
    const port = ports[from];
    if (port === undefined || this.#doors.has(to)) return;
    const door = this.#doors.get(from);
    this.#doors.delete(from);
    await door?.close();
    delete ports[from];
    ports[to] = port;
  }

  /** What the door of `name` carries now (scale to zero reads it). */
  activity(name: string): FrontDoorActivity | undefined {
    return this.#doors.get(name)?.activity();
  }

  /** Ends every connection of one instance (stopped or deleted). */
  closeConnections(name: string): void {
    this.#doors.get(name)?.closeConnections();
    this.#doors.get(`${READ_ONLY_PREFIX}${name}`)?.closeConnections();
  }

  counters(): Record<string, FrontDoorCounters> {
    const out: Record<string, FrontDoorCounters> = {};
    for (const [name, door] of this.#doors) {
      out[name] = { ...door.counters, refused: { ...door.counters.refused } };
    }
    return out;
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled([...this.#doors.values()].map((door) => door.close()));
    this.#doors.clear();
  }
}
