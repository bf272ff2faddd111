import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  createCertificateAuthority,
  issueServerCertificate,
  type TlsMaterial,
} from "../front-door/certificate.ts";

export interface LocalCa {
  /** The CA certificate (PEM) in a file, for `sslrootcert=` / `PGSSLROOTCERT` / a driver's `ca`. */
  caFile: string;
  caPem: string;
  /** The front doors' certificate, signed by the CA. */
  server: TlsMaterial;
  /** Removes the CA file when it lives in a temporary directory. */
  cleanup(): Promise<void>;
}

/**
 * The CA of this LakebaseLocal and a fresh server certificate signed by it for `hosts`. With a data dir the
 * CA is kept in `<dataDir>/tls` (so clients keep trusting the same file across restarts); without one it is
 * new, and only its certificate is written, to a temporary directory removed by cleanup().
 */
export async function prepareLocalCa(options: {
  dataDir?: string;
  hosts: readonly string[];
}): Promise<LocalCa> {
  if (options.dataDir) {
    const dir = path.join(options.dataDir, "tls");
    const ca = await loadOrCreateCa(dir);
    return {
      caFile: path.join(dir, "ca.pem"),
      caPem: ca.cert,
      server: await issueServerCertificate(ca, options.hosts),
      cleanup: async () => undefined,
    };
  }
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "lakebase-local-tls-"));
  try {
    const ca = await createCertificateAuthority();
    const caFile = path.join(dir, "ca.pem");
    await fs.writeFile(caFile, ca.cert, { mode: 0o644 });
    return {
      caFile,
      caPem: ca.cert,
      server: await issueServerCertificate(ca, options.hosts),
      cleanup: () => fs.rm(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    await fs.rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function loadOrCreateCa(dir: string): Promise<TlsMaterial> {
  const certFile = path.join(dir, "ca.pem");
  const keyFile = path.join(dir, "ca-key.pem");
  const [cert, key] = await Promise.all([
    fs.readFile(certFile, "utf8").catch(() => undefined),
    fs.readFile(keyFile, "utf8").catch(() => undefined),
  ]);
  if (cert && key) return { cert, key };
  const ca = await createCertificateAuthority();
  await fs.mkdir(dir, { recursive: true, mode: 0o755 });
  // The key first, so a certificate on disk always has its key beside it.
  await fs.writeFile(keyFile, ca.key, { mode: 0o600 });
  await fs.writeFile(certFile, ca.cert, { mode: 0o644 });
  return ca;
}
