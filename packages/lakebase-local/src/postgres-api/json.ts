import { INSTANCE_HOST } from "../compute/addresses.ts";
import type {
  BranchRecord,
  DatabaseRecord,
  EndpointRecord,
  ProjectRecord,
  RoleRecord,
} from "../state/postgres-records.ts";
import type { PostgresDeps } from "./deps.ts";

/** 8 TiB, the branch size limit the service reports. */
const BRANCH_SIZE_LIMIT = 8_796_093_022_208;

/**
 * Resources as GET returns them: identity fields and `status` (the effective values), never `spec`. The
 * live parts (an endpoint's state and last activity, a project's last activity) come from the computes.
 */
export function projectJson(deps: PostgresDeps, record: ProjectRecord) {
  const endpoints = Object.values(deps.ctx.postgres.endpoints).filter((e) =>
    e.parent.startsWith(`${record.name}/`),
  );
  const last = endpoints
    .map((e) => deps.computes.lastActiveAt(e)?.getTime() ?? 0)
    .reduce((a, b) => Math.max(a, b), 0);
  return {
    name: record.name,
    project_id: record.project_id,
    uid: record.uid,
    create_time: record.create_time,
    update_time: record.update_time,
    ...(record.delete_time ? { delete_time: record.delete_time, purge_time: record.purge_time } : {}),
    status: {
      project_id: record.project_id,
      ...structuredClone(record.status),
      ...(last > 0 ? { compute_last_active_time: new Date(last).toISOString() } : {}),
      branch_logical_size_limit_bytes: BRANCH_SIZE_LIMIT,
      synthetic_storage_size_bytes: 0,
    },
  };
}

export function branchJson(record: BranchRecord) {
  return {
    name: record.name,
    branch_id: record.branch_id,
    parent: record.parent,
    uid: record.uid,
    create_time: record.create_time,
    update_time: record.update_time,
    status: { branch_id: record.branch_id, ...structuredClone(record.status) },
  };
}

export function endpointJson(deps: PostgresDeps, record: EndpointRecord) {
  const { pg_settings, ...status } = structuredClone(record.status);
  const live = status.current_state === "INIT" ? "INIT" : deps.computes.state(record);
  const lastActive = deps.computes.lastActiveAt(record);
  return {
    name: record.name,
    endpoint_id: record.endpoint_id,
    parent: record.parent,
    uid: record.uid,
    create_time: record.create_time,
    update_time: record.update_time,
    status: {
      endpoint_id: record.endpoint_id,
      ...status,
      current_state: live,
      ...(lastActive ? { last_active_time: lastActive.toISOString() } : {}),
      settings: pg_settings ? { pg_settings } : {},
      hosts: { host: INSTANCE_HOST },
    },
    // Not in the real API (an endpoint always listens on 5432 at its own host): this endpoint's port.
    x_local_pg_port: deps.doors.port(record.name),
  };
}

export function databaseJson(record: DatabaseRecord) {
  return {
    name: record.name,
    database_id: record.database_id,
    parent: record.parent,
    create_time: record.create_time,
    update_time: record.update_time,
    status: { database_id: record.database_id, ...structuredClone(record.status) },
  };
}

export function roleJson(record: RoleRecord) {
  return {
    name: record.name,
    role_id: record.role_id,
    parent: record.parent,
    create_time: record.create_time,
    update_time: record.update_time,
    status: { role_id: record.role_id, ...structuredClone(record.status) },
  };
}
