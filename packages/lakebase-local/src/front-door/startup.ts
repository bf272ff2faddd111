import { fatal, negotiateProtocolVersion, parseStartupParameters } from "./protocol.ts";
import { ProtocolViolation, type StartupPacket } from "./reader.ts";

export type StartupCheck =
  | {
      ok: true;
      user: string;
      database: string;
      /** Startup parameters to pass upstream (all but user, database and protocol extensions). */
      forwarded: Map<string, string>;
      /** NegotiateProtocolVersion to send first, when the client asked for more than 3.0. */
      negotiation: Buffer | undefined;
    }
  | { ok: false; response: Buffer };

/**
 * What PostgreSQL checks in a startup packet before it asks for a password, with its answers: protocol 3.x
 * (a newer minor or `_pq_.` extensions are downgraded to 3.0, not refused), a user name, the database
 * defaulting to the user. A packet whose layout is broken is a protocol violation (thrown).
 */
export function checkStartup(startup: StartupPacket): StartupCheck {
  const major = startup.code >>> 16;
  const minor = startup.code & 0xffff;
  if (major !== 3) {
    return {
      ok: false,
      response: fatal("0A000", `unsupported frontend protocol ${major}.${minor}: server supports 3.0 to 3.0`),
    };
  }
  const params = parseStartupParameters(startup.body);
  if (!params) throw new ProtocolViolation("invalid startup packet layout: expected terminator as last byte");
  const user = params.get("user");
  if (!user)
    return { ok: false, response: fatal("28000", "no PostgreSQL user name specified in startup packet") };
  const unrecognised = [...params.keys()].filter((name) => name.startsWith("_pq_."));
  return {
    ok: true,
    user,
    database: params.get("database") || user,
    forwarded: new Map(
      [...params].filter(([name]) => !["user", "database"].includes(name) && !name.startsWith("_pq_.")),
    ),
    negotiation: minor > 0 || unrecognised.length > 0 ? negotiateProtocolVersion(unrecognised) : undefined,
  };
}
