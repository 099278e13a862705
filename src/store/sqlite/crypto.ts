/**
 * Secrets at rest: AES-256-GCM with a random 12-byte nonce per value. The ciphertext is bound to its row
 * (cluster id + key as additional authenticated data), so rows cannot be swapped. Each row records the id of the key
 * that sealed it, so a wrong key is reported as such and keys can be rotated later.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { StoreError } from "../../errors.ts";

export const SECRET_ALGORITHM = "aes-256-gcm";
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface SealedSecret {
  keyId: string;
  nonce: Uint8Array;
  /** Ciphertext followed by the 16-byte GCM tag. */
  data: Uint8Array;
}

export interface SecretCipher {
  /** Short public fingerprint of the key (not secret). */
  readonly keyId: string;
  seal(plain: Uint8Array, context: string): SealedSecret;
  open(sealed: SealedSecret, context: string): Uint8Array;
}

/** The fingerprint recorded with each sealed value: 16 hex chars of a domain-separated SHA-256 of the key. */
export function computeKeyId(key: Uint8Array): string {
  return createHash("sha256").update("scylla-manager secret key id\u0000").update(key).digest("hex").slice(0, 16);
}

/** A cipher for one 32-byte key. */
export function createSecretCipher(key: Uint8Array): SecretCipher {
  if (key.length !== 32) {
    throw new StoreError(`secret key must be 32 bytes, got ${key.length}`, {
      hint: "use 64 hex characters, e.g. from `openssl rand -hex 32`",
    });
  }
  const keyId = computeKeyId(key);
  return {
    keyId,
    seal(plain, context) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv(SECRET_ALGORITHM, key, nonce);
      cipher.setAAD(Buffer.from(context, "utf8"));
      const body = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { keyId, nonce: new Uint8Array(nonce), data: new Uint8Array(body) };
    },
    open(sealed, context) {
      if (sealed.keyId !== keyId) {
        throw new StoreError(`secret was encrypted with key ${sealed.keyId}, but the configured key is ${keyId}`, {
          hint: "configure the secret key used when the secret was stored (secret_key, secret_key_file or <data_dir>/secret.key)",
        });
      }
      const data = Buffer.from(sealed.data);
      if (data.length < TAG_BYTES) throw new StoreError("secret is truncated", { hint: "store the secret again" });
      try {
        const decipher = createDecipheriv(SECRET_ALGORITHM, key, Buffer.from(sealed.nonce));
        decipher.setAAD(Buffer.from(context, "utf8"));
        decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
        return new Uint8Array(
          Buffer.concat([decipher.update(data.subarray(0, data.length - TAG_BYTES)), decipher.final()]),
        );
      } catch (cause) {
        throw new StoreError("secret failed authentication (tampered or corrupt)", {
          hint: "store the secret again, e.g. update the cluster's credentials",
          cause,
        });
      }
    },
  };
}
