/**
 * The one JSON line the CLI prints on stdout once it is ready (a contract: `pnpm dev`, `pnpm start` and
 * scripts parse it). Null fields: started with --no-seed, so there is no default instance.
 */
export interface ReadyLine {
  restUrl: string;
  workspaceToken: string;
  pgHost: string;
  pgPort: number | null;
  instanceName: string | null;
  databaseName: string | null;
  /** The local CA's certificate file: `sslmode=verify-full` with `sslrootcert=<caFile>` (PGSSLROOTCERT). */
  caFile: string;
  /** The same CA certificate, PEM. */
  caPem: string;
  /** Whether the front doors refuse unencrypted logins (--require-tls). */
  requireTls: boolean;
}

export function isReadyLine(line: string): boolean {
  return line.startsWith('{"restUrl"');
}
