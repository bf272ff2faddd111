/**
 * The one JSON line the CLI prints on stdout once it is ready (a contract: `pnpm dev`, `pnpm start` and
 * scripts parse it). Null fields: started with --no-seed, so there is no default instance; the project
 * fields are null in the provisioned flavour too.
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
  /** `autoscaling` (default) or `provisioned` (--flavor). */
  flavor: "autoscaling" | "provisioned";
  /** The default project (`projects/<instanceName>`), reachable as the instance `instanceName` too. */
  projectName: string | null;
  /** Its default branch (`projects/<p>/branches/production`). */
  branchName: string | null;
  /** That branch's primary endpoint: `LAKEBASE_ENDPOINT` for the app (Databricks Apps' `valueFrom: postgres`). */
  endpointName: string | null;
  /** The endpoint's front-door port (the same as pgPort). */
  endpointPort: number | null;
}

export function isReadyLine(line: string): boolean {
  return line.startsWith('{"restUrl"');
}
