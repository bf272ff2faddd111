import { randomUUID } from "node:crypto";
import type {
  BranchRecord,
  DatabaseRecord,
  EndpointRecord,
  EndpointSettingsStatus,
  EndpointType,
  ProjectRecord,
  RoleRecord,
} from "../state/postgres-records.ts";
import { parseDuration } from "./durations.ts";
import { invalid } from "./errors.ts";
import { branchName, endpointName } from "./names.ts";
import type { EndpointSpec, RoleSpec } from "./schemas.ts";

const SUSPEND_MIN_S = 60;
const SUSPEND_MAX_S = 604_800;
const CU_SPREAD_MAX = 16;

/** What a new endpoint takes when neither it nor its project says otherwise (the CLI test server's values). */
export const ENDPOINT_DEFAULTS: EndpointSettingsStatus = {
  autoscaling_limit_min_cu: 1,
  autoscaling_limit_max_cu: 1,
  suspend_timeout_duration: "86400s",
};

const now = () => new Date().toISOString();

/** Merges endpoint settings onto defaults, checking the bounds the service enforces. */
export function endpointSettings(
  spec: EndpointSpec | undefined,
  defaults: EndpointSettingsStatus,
  field = "spec",
): EndpointSettingsStatus {
  if (spec?.no_suspension === false) throw invalid(`Field '${field}.no_suspension' may only be true.`);
  if (spec?.no_suspension && spec.suspend_timeout_duration !== undefined) {
    throw invalid(`Only one of '${field}.suspend_timeout_duration' and '${field}.no_suspension' may be set.`);
  }
  const out: EndpointSettingsStatus = {
    autoscaling_limit_min_cu: spec?.autoscaling_limit_min_cu ?? defaults.autoscaling_limit_min_cu,
    autoscaling_limit_max_cu: spec?.autoscaling_limit_max_cu ?? defaults.autoscaling_limit_max_cu,
    ...(defaults.pg_settings ? { pg_settings: defaults.pg_settings } : {}),
  };
  if (spec?.pg_settings) out.pg_settings = spec.pg_settings;
  if (spec?.no_suspension) out.no_suspension = true;
  else if (spec?.suspend_timeout_duration !== undefined) {
    const seconds = parseDuration(spec.suspend_timeout_duration, `${field}.suspend_timeout_duration`);
    if (seconds < SUSPEND_MIN_S || seconds > SUSPEND_MAX_S) {
      throw invalid(
        `Field '${field}.suspend_timeout_duration' must be between ${SUSPEND_MIN_S}s and ${SUSPEND_MAX_S}s.`,
      );
    }
    out.suspend_timeout_duration = spec.suspend_timeout_duration;
  } else if (defaults.no_suspension) out.no_suspension = true;
  else if (defaults.suspend_timeout_duration)
    out.suspend_timeout_duration = defaults.suspend_timeout_duration;
  checkCu(out, field);
  return out;
}

export function checkCu(settings: EndpointSettingsStatus, field: string): void {
  const { autoscaling_limit_min_cu: min, autoscaling_limit_max_cu: max } = settings;
  if (min > max) {
    throw invalid(
      `Field '${field}.autoscaling_limit_min_cu' (${min}) is above autoscaling_limit_max_cu (${max}).`,
    );
  }
  if (max - min > CU_SPREAD_MAX) {
    throw invalid(`autoscaling_limit_max_cu - autoscaling_limit_min_cu may be at most ${CU_SPREAD_MAX} CU.`);
  }
}

export function newBranch(
  project: ProjectRecord,
  branchId: string,
  options: {
    root?: boolean;
    isDefault?: boolean;
    isProtected?: boolean;
    expireTime?: string;
    sourceBranch?: string;
    sourceTime?: string;
  },
): BranchRecord {
  const time = now();
  return {
    name: branchName(project.name, branchId),
    branch_id: branchId,
    parent: project.name,
    uid: `br-${randomUUID().slice(0, 20)}`,
    create_time: time,
    update_time: time,
    status: {
      current_state: "INIT",
      pending_state: "READY",
      state_change_time: time,
      default: options.isDefault ?? false,
      is_protected: options.isProtected ?? false,
      logical_size_bytes: 0,
      ...(options.expireTime ? { expire_time: options.expireTime } : {}),
      ...(options.sourceBranch ? { source_branch: options.sourceBranch } : {}),
      ...(options.sourceTime ? { source_branch_time: options.sourceTime } : {}),
    },
    root: options.root ?? false,
  };
}

export function newEndpoint(
  branch: BranchRecord,
  endpointId: string,
  type: EndpointType,
  settings: EndpointSettingsStatus,
  options: { implicit?: boolean; disabled?: boolean },
): EndpointRecord {
  const time = now();
  return {
    name: endpointName(branch.name, endpointId),
    endpoint_id: endpointId,
    parent: branch.name,
    uid: `ep-${randomUUID().slice(0, 20)}`,
    create_time: time,
    update_time: time,
    status: {
      ...settings,
      endpoint_type: type,
      current_state: "INIT",
      pending_state: "ACTIVE",
      disabled: options.disabled ?? false,
      group: { min: 1, max: 1, enable_readable_secondaries: false },
    },
    implicit: options.implicit ?? false,
  };
}

export function newRole(
  branch: string,
  roleId: string,
  spec: RoleSpec & { postgres_role: string },
): RoleRecord {
  const time = now();
  const identityType = spec.identity_type ?? "IDENTITY_TYPE_UNSPECIFIED";
  const authMethod =
    spec.auth_method ??
    (identityType === "USER" || identityType === "SERVICE_PRINCIPAL" || identityType === "GROUP"
      ? "LAKEBASE_OAUTH_V1"
      : "PG_PASSWORD_SCRAM_SHA_256");
  return {
    name: `${branch}/roles/${roleId}`,
    role_id: roleId,
    parent: branch,
    create_time: time,
    update_time: time,
    status: {
      postgres_role: spec.postgres_role,
      identity_type: identityType,
      auth_method: authMethod,
      attributes: {
        createdb: spec.attributes?.createdb ?? false,
        createrole: spec.attributes?.createrole ?? false,
        bypassrls: spec.attributes?.bypassrls ?? false,
      },
      ...(spec.membership_roles?.length ? { membership_roles: [...spec.membership_roles] } : {}),
    },
  };
}

export function newDatabase(
  branch: string,
  databaseId: string,
  postgresDatabase: string,
  role: string,
): DatabaseRecord {
  const time = now();
  return {
    name: `${branch}/databases/${databaseId}`,
    database_id: databaseId,
    parent: branch,
    create_time: time,
    update_time: time,
    status: { postgres_database: postgresDatabase, role },
  };
}

/** A copy of a record under another branch (a child branch inherits its parent's databases and roles). */
export function reparented<T extends DatabaseRecord | RoleRecord>(record: T, from: string, to: string): T {
  const copy = structuredClone(record);
  copy.name = `${to}${record.name.slice(from.length)}`;
  copy.parent = to;
  if ("role" in copy.status && copy.status.role.startsWith(`${from}/`)) {
    copy.status.role = `${to}${copy.status.role.slice(from.length)}`;
  }
  copy.create_time = now();
  copy.update_time = copy.create_time;
  return copy;
}

export function stamp(record: { update_time: string }): void {
  record.update_time = now();
}
