import { z } from "zod";
import { type Variable, variable } from "./declare.ts";
import { int, LOG_LEVELS, port } from "./value-types.ts";

// The server variables.
export const SERVER_VARIABLES = {
  DATABRICKS_APP_PORT: variable(
    "server",
    port,
    "",
    "Port to listen on, set by Databricks Apps; wins over PORT.",
  ),
  PORT: variable("server", port, "8000", "Port to listen on outside Databricks Apps (0: any free port)."),
  HOST: variable(
    "server",
    z.string().min(1),
    "0.0.0.0 inside Databricks Apps, 127.0.0.1 outside",
    "Interface to listen on. Outside Apps only this machine can connect unless you widen it.",
  ),
  STATIC_DIR: variable("server", z.string().min(1), "", "A built SPA to serve beside the API."),
  LOG_LEVEL: variable("server", z.enum(LOG_LEVELS), "info", "Lowest level written to the JSON log."),
  COUNT_CACHE_TTL_SECONDS: variable(
    "server",
    int(0, 3600),
    "10",
    "Seconds a scanned count or stats result is fresh, before the rollup exists (then served as long again while one refresh runs).",
  ),
  CLUSTER_WORKERS: variable(
    "server",
    int(0, 64),
    "0 (one per vCPU)",
    "Worker processes serving requests; 0: one per available vCPU, 1: a single process (no cluster).",
  ),
  ORDERS_ROLLUP_CHECK_SECONDS: variable(
    "server",
    int(1, 3600),
    "5",
    "How often each process checks the synced table for changes that call for a new counts rollup.",
  ),
  ORDERS_ROLLUP_MIN_REBUILD_SECONDS: variable(
    "server",
    int(0, 86400),
    "60",
    "Least time between two rebuilds of the counts rollup (each scans the synced table); in between, figures are flagged stale.",
  ),
  ORDERS_INDEXES: variable(
    "server",
    z.enum(["on", "off"]),
    "on",
    "Build the indexes the orders sorts need on the synced table where the app may (CONCURRENTLY, again after a refresh replaces it).",
  ),
  ORDERS_SORT_KEYS: variable(
    "server",
    z.enum(["auto", "table", "projection", "off"]),
    "auto",
    "Where the orders sorts find their keys: auto (the synced table's indexes when it has them or the app may build them, else the app's own indexed projection of the sort columns), table, projection, or off (scan).",
  ),
  ALLOWED_ORIGINS: variable(
    "server",
    z.string(),
    "",
    "Comma-separated origins (https://host[:port]) besides the app's own that may call the API from a browser.",
  ),
  ALLOWED_HOSTS: variable(
    "server",
    z.string(),
    "",
    "Outside Databricks Apps: comma-separated host names (name or name:port) that requests may name in Host besides localhost, *.localhost, 127.0.0.1 and [::1]; other hosts get 403 before any route (DNS rebinding). List the name clients use behind a proxy or on a network.",
  ),
  MAX_BODY_BYTES: variable(
    "server",
    int(1024, 10 * 1024 * 1024),
    "32768",
    "Largest request body; larger ones get 413 before they are read.",
  ),
  MAX_BATCH_SIZE: variable(
    "server",
    int(1, 100),
    "10",
    "Most tRPC calls in one batched request (400 above). The SPA sends one call per request.",
  ),
  RATE_LIMIT_WRITES_PER_MINUTE: variable(
    "server",
    int(0, 1_000_000),
    "60",
    "Mutations per identity per minute, in bursts up to the same number (429 with Retry-After above); 0: off.",
  ),
  RATE_LIMIT_READS_PER_MINUTE: variable(
    "server",
    int(0, 1_000_000),
    "120",
    "Uncached expensive reads (counts, stats, deep pages) per identity per minute (429 above); 0: off.",
  ),
  EXPORTS_AT_ONCE: variable(
    "server",
    int(1, 64),
    "2",
    "CSV exports running at once on the database, across every process of the app (each holds a connection for its whole download); more get 429 with Retry-After. One per identity; anonymous callers share one.",
  ),
  EXPORT_TIMEOUT_SECONDS: variable(
    "server",
    int(10, 86400),
    "900",
    "Longest a signed-in caller's CSV export may run (its statement_timeout, sorting and download included); anonymous callers get at most 60 s.",
  ),
} as const satisfies Record<string, Variable>;
