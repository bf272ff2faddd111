import { randomUUID } from "node:crypto";
import { jwtExpiry } from "./providers.ts";
import type { Credential, TokenSourceDescription } from "./token-provider.ts";
import { createWorkspaceClient } from "./workspace-client.ts";

/** A signed-in user's Postgres password, from their own Databricks token (see `userCredentialSource`). */
export type UserCredentialSource = (userToken: string) => Promise<Credential>;

/**
 * How a signed-in user logs into Lakebase, the way the app itself does (same flavour, same target), but with
 * the user's forwarded token (Apps user authorization, scope `postgres`): an Autoscaling endpoint credential
 * (`POST /api/2.0/postgres/credentials`) or a Provisioned instance credential (`generateDatabaseCredential`)
 * asked for with the user's token, as Databricks' AppKit `asUser` does, so Databricks checks the user's
 * CAN_USE and the credential is scoped to that one database. With the workspace-token flavour (and a static
 * password, which only plain PostgreSQL has) the user's token itself is the password, as Lakebase accepts a
 * workspace OAuth token. The token is never logged.
 */
export function userCredentialSource(
  source: TokenSourceDescription,
  workspace: { host: string; timeoutSeconds?: number },
): UserCredentialSource {
  // authType "pat": inside Apps the service principal's client id and secret are set too, and the SDK would
  // refuse two auth methods.
  const clientFor = (token: string) =>
    createWorkspaceClient({
      host: workspace.host,
      token,
      clientId: null,
      clientSecret: null,
      profile: null,
      timeoutSeconds: workspace.timeoutSeconds ?? 10,
    });
  switch (source.flavour) {
    case "autoscaling":
      return async (token) => {
        const body = (await clientFor(token).apiClient.request({
          path: "/api/2.0/postgres/credentials",
          method: "POST",
          headers: new Headers(),
          raw: false,
          payload: { endpoint: source.target },
        })) as { token?: unknown; expire_time?: unknown };
        return {
          token: typeof body.token === "string" ? body.token : "",
          expiresAt: typeof body.expire_time === "string" ? validDate(body.expire_time) : undefined,
        };
      };
    case "provisioned":
      return async (token) => {
        const credential = await clientFor(token).database.generateDatabaseCredential({
          instance_names: [source.target],
          request_id: randomUUID(),
        });
        return {
          token: credential.token ?? "",
          expiresAt: credential.expiration_time ? validDate(credential.expiration_time) : undefined,
        };
      };
    default:
      return async (token) => ({ token, expiresAt: jwtExpiry(token) });
  }
}

function validDate(text: string): Date | undefined {
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
