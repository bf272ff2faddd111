import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";

const pbkdf2Async = promisify(pbkdf2);

/**
 * Client side of SCRAM-SHA-256 (RFC 5802 / RFC 7677) as PostgreSQL speaks it: no channel binding (the
 * upstream hop is plain TCP on localhost), and the user name in the SCRAM messages is ignored by the server,
 * which uses the startup user. Passwords are used as given (no SASLprep): ours are ASCII.
 */
export class ScramClient {
  readonly mechanism = "SCRAM-SHA-256";
  private readonly password: string;
  private readonly nonce = randomBytes(18).toString("base64");
  private readonly clientFirstBare: string;
  private serverSignature: Buffer | undefined;

  constructor(password: string) {
    this.password = password;
    this.clientFirstBare = `n=*,r=${this.nonce}`;
  }

  clientFirst(): Buffer {
    return Buffer.from(`n,,${this.clientFirstBare}`, "utf8");
  }

  async clientFinal(serverFirst: string): Promise<Buffer> {
    const attrs = attributes(serverFirst);
    const nonce = attrs.get("r");
    const salt = attrs.get("s");
    const iterations = Number(attrs.get("i"));
    if (!nonce?.startsWith(this.nonce) || nonce.length === this.nonce.length) {
      throw new Error("SCRAM: server nonce does not extend the client nonce");
    }
    if (!salt || !Number.isInteger(iterations) || iterations < 1) {
      throw new Error("SCRAM: malformed server-first-message");
    }
    const salted = await pbkdf2Async(this.password, Buffer.from(salt, "base64"), iterations, 32, "sha256");
    const clientKey = hmac(salted, "Client Key");
    const storedKey = createHash("sha256").update(clientKey).digest();
    const finalWithoutProof = `c=biws,r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${finalWithoutProof}`;
    const clientSignature = hmac(storedKey, authMessage);
    const proof = Buffer.alloc(clientKey.length);
    for (let i = 0; i < proof.length; i++) proof[i] = (clientKey[i] ?? 0) ^ (clientSignature[i] ?? 0);
    this.serverSignature = hmac(hmac(salted, "Server Key"), authMessage);
    return Buffer.from(`${finalWithoutProof},p=${proof.toString("base64")}`, "utf8");
  }

  /** Proves the server knew the password too; a mismatch means a server we must not trust. */
  verifyServerFinal(serverFinal: string): void {
    const attrs = attributes(serverFinal);
    const error = attrs.get("e");
    if (error) throw new Error(`SCRAM: server error ${error}`);
    const signature = Buffer.from(attrs.get("v") ?? "", "base64");
    if (
      !this.serverSignature ||
      signature.length !== this.serverSignature.length ||
      !timingSafeEqual(signature, this.serverSignature)
    ) {
      throw new Error("SCRAM: server signature does not match");
    }
  }
}

function hmac(key: Buffer, text: string): Buffer {
  return createHmac("sha256", key).update(text).digest();
}

function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) out.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return out;
}

/** PostgreSQL's md5 password hash: "md5" + md5(md5(password + user) + salt). */
export function md5Password(user: string, password: string, salt: Buffer): string {
  const inner = createHash("md5")
    .update(password + user)
    .digest("hex");
  return `md5${createHash("md5")
    .update(Buffer.concat([Buffer.from(inner), salt]))
    .digest("hex")}`;
}
