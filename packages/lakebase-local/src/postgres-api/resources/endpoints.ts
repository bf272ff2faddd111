import { page } from "../../database-api/paging.ts";
import type { EndpointRecord } from "../../state/postgres-records.ts";
import type { PostgresDeps } from "../deps.ts";
import { alreadyExists, badRequest, invalid, managedByParent, requiredId } from "../errors.ts";
import { endpointJson } from "../json.ts";
import { checkUpdateMask } from "../masks.ts";
import { checkId, endpointName } from "../names.ts";
import { checkCu, endpointSettings, newEndpoint, stamp } from "../new-records.ts";
import type { OperationJson } from "../operations.ts";
import { endpointBodySchema } from "../schemas.ts";

const MASKS = [
  "spec",
  "spec.autoscaling_limit_max_cu",
  "spec.autoscaling_limit_min_cu",
  "spec.disabled",
  "spec.group.enable_readable_secondaries",
  "spec.group.max",
  "spec.group.min",
  "spec.settings.pg_settings",
  "spec.suspension",
];

/**
 * Endpoints (computes): every branch has its read-write `primary` (its own cluster); a read-only endpoint
 * is a hot standby of it, started when the endpoint is created. `disabled` suspends the compute and
 * refuses connections until re-enabled; `suspend_timeout_duration` drives scale to zero.
 */
export class Endpoints {
  readonly #deps: PostgresDeps;

  constructor(deps: PostgresDeps) {
    this.#deps = deps;
  }

  async create(
    identity: string,
    parent: string,
    endpointId: string | undefined,
    body: unknown,
    replaceExisting: boolean,
  ): Promise<OperationJson> {
    const { ctx, access, operations } = this.#deps;
    if (!endpointId) throw requiredId("endpoint_id");
    const branch = access.branch(parent);
    checkId(endpointId, "endpoint_id");
    const project = access.require(identity, parent, "CAN_MANAGE");
    if (branch.status.current_state !== "READY") {
      throw badRequest(`Branch '${parent}' is not READY (${branch.status.current_state}).`);
    }
    const spec = endpointBodySchema.parse(body ?? {}).spec ?? {};
    const name = endpointName(parent, endpointId);
    const existing = ctx.postgres.endpoints[name];
    if (existing && !replaceExisting) throw alreadyExists("endpoint with such id already exists");
    if (existing) {
      if (spec.endpoint_type && spec.endpoint_type !== existing.status.endpoint_type) {
        throw invalid("Field 'spec.endpoint_type' cannot be changed.");
      }
      await this.#apply(existing, { ...spec, endpoint_type: undefined }, ["spec"]);
      return operations.start(name, "Endpoint", () => endpointJson(this.#deps, existing));
    }
    if (!spec.endpoint_type) throw invalid("Field 'spec.endpoint_type' is required.");
    if (spec.endpoint_type === "ENDPOINT_TYPE_READ_WRITE") {
      throw invalid(`Branch '${parent}' already has its read-write endpoint; a branch has one.`);
    }
    const settings = endpointSettings(spec, project.status.default_endpoint_settings);
    const record = newEndpoint(branch, endpointId, spec.endpoint_type, settings, {
      disabled: spec.disabled ?? false,
    });
    ctx.postgres.endpoints[name] = record;
    return operations.start(name, "Endpoint", async () => {
      try {
        await this.#deps.doors.ensure(name);
        if (!record.status.disabled) await this.#deps.computes.start(record);
        record.status.current_state = record.status.disabled ? "IDLE" : "ACTIVE";
        delete record.status.pending_state;
        await ctx.save();
        return endpointJson(this.#deps, record);
      } catch (error) {
        delete ctx.postgres.endpoints[name];
        await this.#deps.computes.remove(name);
        throw error;
      }
    });
  }

  get(name: string) {
    return endpointJson(this.#deps, this.#deps.access.endpoint(name));
  }

  list(parent: string, query: { page_size?: string; page_token?: string }) {
    this.#deps.access.branch(parent);
    const names = Object.values(this.#deps.ctx.postgres.endpoints)
      .filter((e) => e.parent === parent)
      .map((e) => e.name)
      .sort();
    const { items, next } = page(names, query.page_size, query.page_token);
    return { endpoints: items.map((n) => this.get(n)), ...(next ? { next_page_token: next } : {}) };
  }

  async update(
    identity: string,
    name: string,
    mask: string | undefined,
    body: unknown,
  ): Promise<OperationJson> {
    const record = this.#deps.access.endpoint(name);
    this.#deps.access.require(identity, name, "CAN_MANAGE");
    const paths = checkUpdateMask(mask, MASKS, body);
    const spec = endpointBodySchema.parse(body ?? {}).spec ?? {};
    const work = this.#apply(record, spec, paths);
    return this.#deps.operations.start(name, "Endpoint", async () => {
      await work;
      return endpointJson(this.#deps, record);
    });
  }

  delete(identity: string, name: string): OperationJson {
    const record = this.#deps.access.endpoint(name);
    this.#deps.access.require(identity, name, "CAN_MANAGE");
    if (record.implicit) {
      throw managedByParent(
        `Cannot delete read-write endpoint '${name}'. Read-write endpoints cannot be deleted.`,
      );
    }
    return this.#deps.operations.start(name, "Endpoint", async () => {
      delete this.#deps.ctx.postgres.endpoints[name];
      this.#deps.doors.closeConnections(name);
      await this.#deps.computes.remove(name);
      await this.#deps.ctx.save();
      return undefined;
    });
  }

  /** Disables (suspends, refuses connections) or enables the endpoint; used by the `database` API's stop/start. */
  async setDisabled(record: EndpointRecord, disabled: boolean): Promise<void> {
    await this.#apply(record, { disabled }, ["spec.disabled"]);
  }

  /**
   * Applies the masked parts of a spec (checked and recorded at once: a bad one throws here); the returned
   * promise ends when the compute has followed.
   */
  #apply(
    record: EndpointRecord,
    spec: ReturnType<typeof endpointBodySchema.parse>["spec"] & object,
    paths: string[],
  ): Promise<void> {
    const { status } = record;
    const has = (path: string) => paths.includes("spec") || paths.includes(path);
    if (has("spec.autoscaling_limit_min_cu") && spec.autoscaling_limit_min_cu !== undefined) {
      status.autoscaling_limit_min_cu = spec.autoscaling_limit_min_cu;
    }
    if (has("spec.autoscaling_limit_max_cu") && spec.autoscaling_limit_max_cu !== undefined) {
      status.autoscaling_limit_max_cu = spec.autoscaling_limit_max_cu;
    }
    checkCu(status, "spec");
    if (
      has("spec.suspension") &&
      (spec.no_suspension !== undefined || spec.suspend_timeout_duration !== undefined)
    ) {
      const next = endpointSettings(spec, status);
      delete status.no_suspension;
      delete status.suspend_timeout_duration;
      if (next.no_suspension) status.no_suspension = true;
      else if (next.suspend_timeout_duration) status.suspend_timeout_duration = next.suspend_timeout_duration;
    }
    if (has("spec.settings.pg_settings") && spec.settings?.pg_settings)
      status.pg_settings = spec.settings.pg_settings;
    if (spec.group && (has("spec.group.min") || has("spec.group.max"))) {
      const min = spec.group.min ?? status.group.min;
      const max = spec.group.max ?? status.group.max;
      if (min !== max) throw invalid("Field 'spec.group.min' must equal 'spec.group.max'.");
      status.group = { ...status.group, min, max };
    }
    if (
      has("spec.group.enable_readable_secondaries") &&
      spec.group?.enable_readable_secondaries !== undefined
    ) {
      status.group = { ...status.group, enable_readable_secondaries: spec.group.enable_readable_secondaries };
    }
    stamp(record);
    const disable = has("spec.disabled") ? spec.disabled : undefined;
    const changed = disable !== undefined && disable !== status.disabled;
    if (changed) {
      status.disabled = disable;
      this.#deps.ctx.log({
        event: disable ? "endpoint_disabled" : "endpoint_enabled",
        endpoint: record.name,
      });
    }
    return this.#follow(record, changed && disable === true);
  }

  async #follow(record: EndpointRecord, disabled: boolean): Promise<void> {
    if (disabled) {
      this.#deps.doors.closeConnections(record.name);
      await this.#deps.computes.suspend(record, "disabled");
    }
    await this.#deps.ctx.save();
  }
}
