/**
 * The Postgres "front door" of the local Lakebase: a PostgreSQL v3 protocol endpoint that checks the login
 * password (an OAuth token) once, at login, through `admit`, then relays the connection to a real
 * PostgreSQL. Open connections outlive the token, exactly as on Lakebase.
 */
export { startFrontDoor } from "./server.ts";
export type {
  Admission,
  FrontDoor,
  FrontDoorActivity,
  FrontDoorCounters,
  FrontDoorEvent,
  FrontDoorLogin,
  FrontDoorOptions,
  Upstream,
} from "./types.ts";
