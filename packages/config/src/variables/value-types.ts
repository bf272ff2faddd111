import { z } from "zod";

// The value types and enums the variable groups share (a port, a boolean, an http URL, libpq's sslmode
// values, ...). The enums are exported too: the config types and the app use them as the allowed values.

export const port = z.coerce.number().int().min(0).max(65535);
export const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
export const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
export const httpUrl = z
  .string()
  .refine((s) => /^https?:\/\//.test(s) && URL.canParse(s), "must be an http(s) URL");
export const postgresUrl = z
  .string()
  .refine(
    (s) => /^postgres(ql)?:\/\//.test(s) && URL.canParse(s),
    "must be a postgresql://user@host:port/db URL",
  );
export const INSTANCE = /^[a-z][a-z0-9-]{0,62}$/;
/** A `postgres` API id (project, branch, endpoint): the same rule as an instance name. */
export const RESOURCE_ID = INSTANCE;
/** An Autoscaling endpoint's full name, as Databricks Apps injects it (`valueFrom: postgres`). */
export const ENDPOINT_NAME =
  /^projects\/([a-z][a-z0-9-]{0,62})\/branches\/([a-z][a-z0-9-]{0,62})\/endpoints\/([a-z][a-z0-9-]{0,62})$/;
export const resourceId = z
  .string()
  .regex(RESOURCE_ID, "lowercase letters, digits and hyphens, starting with a letter, at most 63");
export const UC_IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;
// Schema and table parts may carry hyphens (a UC name in backticks); they are quoted wherever SQL uses them.
export const THREE_PART = /^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*\.[A-Za-z_][A-Za-z0-9_-]*$/;
export const ucIdent = z.string().regex(UC_IDENT, "a Unity Catalog identifier (letters, digits, _)");
export const threePart = z.string().regex(THREE_PART, "must be catalog.schema.table");

/** libpq sslmode values, plus node-postgres' own `no-verify`. pg cannot negotiate: allow/prefer mean no TLS. */
export const SSL_MODES = [
  "disable",
  "allow",
  "prefer",
  "require",
  "no-verify",
  "verify-ca",
  "verify-full",
] as const;
export type SslMode = (typeof SSL_MODES)[number];

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export const ADMIN_AUTHS = ["user", "service-principal"] as const;
/** OTLP transports: gRPC is what the Databricks Apps collector listens to; http/protobuf is the spec's default. */
export const OTLP_PROTOCOLS = ["grpc", "http/protobuf", "http/json"] as const;
export const TRACES_SAMPLERS = [
  "always_on",
  "always_off",
  "traceidratio",
  "parentbased_always_on",
  "parentbased_always_off",
  "parentbased_traceidratio",
] as const;
export const EXPORTERS = ["otlp", "none"] as const;
// OpenTelemetry booleans and enums are case-insensitive.
export const lower = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === "string" ? v.toLowerCase() : v), schema);
// `key=value,key=value`, values percent-encoded (the W3C baggage format the OTel spec uses for both).
export const keyValueList = z
  .string()
  .refine(
    (s) => s.split(",").every((pair) => pair.trim() === "" || /^\s*[^=\s]+\s*=/.test(pair)),
    "must be key=value pairs separated by commas",
  );
export const TOKEN_SOURCES = ["provisioned", "autoscaling", "workspace"] as const;
