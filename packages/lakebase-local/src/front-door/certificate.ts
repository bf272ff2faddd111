import { isIP } from "node:net";
import selfsigned from "selfsigned";

/** A private key and its certificate, PEM. */
export interface TlsMaterial {
  key: string;
  cert: string;
}

const DAY_MS = 86_400_000;

/**
 * A local certificate authority, like the public CA that signs Lakebase's server certificates: clients that
 * trust it (a CA file, `sslmode=verify-full`) verify the front door exactly as they would the service.
 */
export function createCertificateAuthority(commonName = "lakebase-local CA"): Promise<TlsMaterial> {
  const now = Date.now();
  return selfsigned
    .generate([{ name: "commonName", value: commonName }], {
      keyType: "ec",
      algorithm: "sha256",
      notBeforeDate: new Date(now - DAY_MS),
      notAfterDate: new Date(now + 10 * 365 * DAY_MS),
      extensions: [
        { name: "basicConstraints", cA: true, pathLenConstraint: 0, critical: true },
        { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
      ],
    })
    .then((pems) => ({ key: pems.private, cert: pems.cert }));
}

/** A server certificate signed by `ca`, valid for each host name or IP address in `hosts`. */
export function issueServerCertificate(ca: TlsMaterial, hosts: readonly string[]): Promise<TlsMaterial> {
  const names = [...new Set(hosts)];
  const first = names[0];
  if (!first) throw new RangeError("a server certificate needs at least one host");
  const now = Date.now();
  return selfsigned
    .generate([{ name: "commonName", value: first }], {
      keyType: "ec",
      algorithm: "sha256",
      notBeforeDate: new Date(now - DAY_MS),
      notAfterDate: new Date(now + 365 * DAY_MS),
      ca,
      extensions: [
        { name: "basicConstraints", cA: false, critical: true },
        { name: "keyUsage", digitalSignature: true, critical: true },
        { name: "extKeyUsage", serverAuth: true },
        {
          name: "subjectAltName",
          altNames: names.map((host) => (isIP(host) ? { type: 7, ip: host } : { type: 2, value: host })),
        },
      ],
    })
    .then((pems) => ({ key: pems.private, cert: pems.cert }));
}

let ephemeral: Promise<TlsMaterial> | undefined;

/**
 * For a front door started without material (its own unit tests): a certificate for localhost/127.0.0.1
 * from a throwaway CA, once per process. Such clients use `sslmode=require`, which encrypts without
 * verifying; a LakebaseLocal always passes the certificate of its own CA instead.
 */
export function ephemeralServerCertificate(): Promise<TlsMaterial> {
  ephemeral ??= createCertificateAuthority("lakebase-local throwaway CA").then((ca) =>
    issueServerCertificate(ca, ["localhost", "127.0.0.1"]),
  );
  return ephemeral;
}
