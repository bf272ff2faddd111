import type { SslMode } from "@lakebase-orders/config";

/** node-postgres' `ssl` option for a libpq sslmode. */
export function sslFor(mode: SslMode): false | { rejectUnauthorized: boolean } {
  switch (mode) {
    case "disable":
    case "allow":
    case "prefer":
      return false;
    // libpq's `require` encrypts without verifying the certificate; the verify modes check it.
    case "require":
    case "no-verify":
      return { rejectUnauthorized: false };
    case "verify-ca":
    case "verify-full":
      return { rejectUnauthorized: true };
  }
}

export class ConnectionConfigError extends Error {
  constructor(message: string) {
    super(`Lakebase connection config: ${message}`);
    this.name = "ConnectionConfigError";
  }
}
