import fs from "node:fs";
import tls from "node:tls";
import type { SslMode } from "@lakebase-orders/config";

/** node-postgres' `ssl` option: no TLS, or TLS that checks the server's certificate unless told not to. */
export type PgSsl =
  | false
  | {
      rejectUnauthorized: boolean;
      /** Trusts the default and system CA stores plus PGSSLROOTCERT's (built once: ~20 ms of parsing). */
      secureContext?: tls.SecureContext;
      /** verify-ca: the chain is checked, the host name is not. */
      checkServerIdentity?: (host: string, cert: tls.PeerCertificate) => Error | undefined;
    };

/**
 * node-postgres' `ssl` option for a libpq sslmode, verifying like Databricks' own Lakebase driver:
 * `require`, `verify-ca` and `verify-full` check the server certificate against the default and system CA
 * stores plus `rootCertPem` (PGSSLROOTCERT); `verify-ca` skips the host name, as libpq does. The password
 * sent over this connection is an OAuth token: an unchecked certificate would hand it to whoever sits in
 * between. `no-verify` is the explicit opt-out (resolveConnection logs a warning); `disable`, `allow` and
 * `prefer` mean no TLS (node-postgres cannot negotiate).
 *
 * @example
 * sslFor("require"); // { rejectUnauthorized: true, secureContext: <default and system CAs> }
 */
export function sslFor(mode: SslMode, rootCertPem?: string | null): PgSsl {
  switch (mode) {
    case "disable":
    case "allow":
    case "prefer":
      return false;
    case "no-verify":
      return { rejectUnauthorized: false };
    case "require":
    case "verify-full":
      return { rejectUnauthorized: true, secureContext: trusting(rootCertPem) };
    case "verify-ca":
      return {
        rejectUnauthorized: true,
        secureContext: trusting(rootCertPem),
        checkServerIdentity: () => undefined,
      };
  }
}

/** Whether a mode sends the password without checking who receives it. */
export function isUnverified(mode: SslMode): boolean {
  return mode !== "require" && mode !== "verify-ca" && mode !== "verify-full";
}

const contexts = new Map<string, tls.SecureContext>();

/** A TLS context trusting Node's default store (bundled, NODE_EXTRA_CA_CERTS), the system's, and `pem`. */
function trusting(pem: string | null | undefined): tls.SecureContext {
  const key = pem ?? "";
  let context = contexts.get(key);
  if (!context) {
    const stores = new Set([...tls.getCACertificates("default"), ...tls.getCACertificates("system")]);
    context = tls.createSecureContext({ ca: pem ? [...stores, pem] : [...stores] });
    contexts.set(key, context);
  }
  return context;
}

/**
 * Reads a root certificate file (PGSSLROOTCERT, or a URL's sslrootcert): a PEM file with one or more CA
 * certificates. `setting` names where the file was given, for the error.
 */
export function readRootCert(file: string, setting = `PGSSLROOTCERT=${file}`): string {
  let pem: string;
  try {
    pem = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new ConnectionConfigError(
      `${setting} cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
  if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
    throw new ConnectionConfigError(`${setting} holds no PEM certificate`);
  }
  return pem;
}

export class ConnectionConfigError extends Error {
  constructor(message: string) {
    super(`Lakebase connection config: ${message}`);
    this.name = "ConnectionConfigError";
  }
}
