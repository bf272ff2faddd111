import type { LakebaseTarget } from "@lakebase-orders/config";
import type { Endpoint, PostgresApi } from "@lakebase-orders/lakebase-api";

type AutoscalingTarget = Extract<LakebaseTarget, { flavour: "autoscaling" }>;

/** Where an endpoint listens: its host, and a port when it is not Lakebase's 5432. */
export interface EndpointAddress {
  /** The endpoint's full name: the scope of its credentials. */
  readonly endpoint: string;
  readonly host: string;
  /** The local Lakebase gives each endpoint its own port (`x_local_pg_port`); Lakebase listens on 5432. */
  readonly port: number | undefined;
}

/**
 * Thrown while the endpoint cannot be reached yet (it does not exist, has no host, or is disabled): not a
 * configuration mistake, so the pool looks again on its next connection rather than failing start-up.
 */
export class EndpointNotReadyError extends Error {
  override readonly name = "EndpointNotReadyError";
}

export function addressOf(endpoint: Endpoint): EndpointAddress | null {
  const host = endpoint.status?.hosts?.host;
  return host ? { endpoint: endpoint.name, host, port: endpoint.x_local_pg_port } : null;
}

/** The read-write endpoint of the target, for the connection's host when nothing else names one. */
export async function primaryEndpoint(api: PostgresApi, target: AutoscalingTarget): Promise<EndpointAddress> {
  const endpoint = await api.getEndpoint(target.endpoint);
  if (!endpoint) {
    throw new EndpointNotReadyError(
      `the endpoint ${target.endpoint} does not exist (yet): create the project or branch`,
    );
  }
  const address = addressOf(endpoint);
  if (!address) {
    throw new EndpointNotReadyError(
      `the endpoint ${target.endpoint} has no host yet (state ${endpoint.status?.current_state ?? "unknown"})`,
    );
  }
  return address;
}

/**
 * The read-only endpoint reads go to: the one LAKEBASE_READ_ENDPOINT names, or (`discover`) the branch's
 * first READ_ONLY endpoint that is not disabled. Null when there is none; a named one that is missing or
 * disabled is null too, with the reason (reads then stay on the primary: never a failed start-up).
 */
export async function readEndpoint(
  api: PostgresApi,
  target: AutoscalingTarget,
): Promise<{ address: EndpointAddress | null; reason: string | null }> {
  if (target.readEndpoint === "none") return { address: null, reason: null };
  let endpoint: Endpoint | null;
  if (target.readEndpoint === "discover") {
    const endpoints = await api.all((page) => api.listEndpoints(target.branch, page), 100);
    endpoint =
      endpoints.find(
        (e) =>
          e.status?.endpoint_type === "ENDPOINT_TYPE_READ_ONLY" &&
          !e.status?.disabled &&
          e.name !== target.endpoint,
      ) ?? null;
    if (!endpoint) return { address: null, reason: null };
  } else {
    endpoint = await api.getEndpoint(target.readEndpoint);
    if (!endpoint)
      return { address: null, reason: `the read endpoint ${target.readEndpoint} does not exist` };
    if (endpoint.status?.disabled) {
      return { address: null, reason: `the read endpoint ${target.readEndpoint} is disabled` };
    }
  }
  const address = addressOf(endpoint);
  return address
    ? { address, reason: null }
    : { address: null, reason: `the read endpoint ${endpoint.name} has no host yet` };
}
