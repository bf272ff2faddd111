import selfsigned from "selfsigned";

export interface TlsMaterial {
  key: string;
  cert: string;
}

let generated: Promise<TlsMaterial> | undefined;

/**
 * One self-signed certificate per process for every front door that was given none: clients of a local
 * Lakebase use `sslmode=require`, which encrypts without verifying, so the certificate only has to exist.
 */
export function selfSignedCertificate(): Promise<TlsMaterial> {
  generated ??= selfsigned
    .generate([{ name: "commonName", value: "localhost" }], {
      keyType: "ec",
      algorithm: "sha256",
      extensions: [
        {
          name: "subjectAltName",
          altNames: [
            { type: 2, value: "localhost" },
            { type: 7, ip: "127.0.0.1" },
          ],
        },
      ],
    })
    .then((pems) => ({ key: pems.private, cert: pems.cert }));
  return generated;
}
