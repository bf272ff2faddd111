import type { PostgresDeps } from "../deps.ts";
import { parseDuration, parseTimestamp } from "../durations.ts";
import { badRequest, invalid } from "../errors.ts";

const TTL_MIN_S = 300;
const TTL_MAX_S = 3600;

/**
 * `POST /api/2.0/postgres/credentials {endpoint}` -> `{token, expire_time}`: a token for logins at that
 * endpoint's front door only (a 404 for an endpoint that does not exist), for identities with CAN_USE on
 * the project. `ttl` / `expire_time` are honoured within the service's 300 s - 1 h; `claims` are ignored.
 */
export class EndpointCredentials {
  readonly #deps: PostgresDeps;

  constructor(deps: PostgresDeps) {
    this.#deps = deps;
  }

  generate(
    identity: string,
    input: { endpoint: string; ttl?: string | undefined; expire_time?: string | undefined },
  ) {
    const { access, ctx } = this.#deps;
    const endpoint = access.endpoint(input.endpoint);
    access.require(identity, endpoint.name, "CAN_USE");
    const branch = ctx.postgres.branches[endpoint.parent];
    if (branch?.status.current_state === "DELETED") throw badRequest(`${endpoint.parent} is deleted.`);
    let ttl = ctx.deps.tokenTtlSeconds;
    if (input.ttl !== undefined) ttl = parseDuration(input.ttl, "ttl");
    if (input.expire_time !== undefined) {
      ttl = (parseTimestamp(input.expire_time, "expire_time").getTime() - Date.now()) / 1000;
    }
    if (input.ttl !== undefined || input.expire_time !== undefined) {
      if (ttl < TTL_MIN_S || ttl > TTL_MAX_S) {
        throw invalid(`A credential lives between ${TTL_MIN_S}s and ${TTL_MAX_S}s.`);
      }
    }
    const { token, expiresAt } = ctx.deps.tokens.issue(
      { identity, kind: "database", scope: [endpoint.name] },
      ttl,
      "lbl_ep_",
    );
    return { token, expire_time: new Date(expiresAt).toISOString() };
  }
}
