import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

const VERSION = "v1";

/**
 * The 32-byte AES key: SPANLENS_ENCRYPTION_KEY when set, else derived from the auth
 * secret (NEXTAUTH_SECRET) with HKDF, so a self-hosted install encrypts without extra setup.
 */
function encryptionKey(): Buffer {
  const secret = process.env.SPANLENS_ENCRYPTION_KEY ?? process.env.NEXTAUTH_SECRET;
  if (!secret) {
    if (process.env.NODE_ENV === "production") {
      throw new Error("SPANLENS_ENCRYPTION_KEY or NEXTAUTH_SECRET must be set to store provider keys");
    }
    return Buffer.from(hkdfSync("sha256", "spanlens-development-secret", "spanlens", "llm-connection-keys", 32));
  }
  return Buffer.from(hkdfSync("sha256", secret, "spanlens", "llm-connection-keys", 32));
}

/** AES-256-GCM: `v1.<iv>.<tag>.<ciphertext>`, base64url parts. */
export function encryptSecret(plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", encryptionKey(), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), ciphertext]
    .map((part) => (typeof part === "string" ? part : part.toString("base64url")))
    .join(".");
}

export function decryptSecret(sealed: string): string {
  const [version, iv, tag, ciphertext] = sealed.split(".");
  if (version !== VERSION || !iv || !tag || ciphertext === undefined) throw new Error("unrecognised encrypted secret");
  const decipher = createDecipheriv("aes-256-gcm", encryptionKey(), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
}
