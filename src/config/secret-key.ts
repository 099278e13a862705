/** The AES-256 key that encrypts secrets at rest: 32 bytes written as 64 hex characters or base64. */

/** Decodes a secret key from hex (64 chars) or base64 (44 chars); `undefined` when it is not 32 bytes. */
export function decodeSecretKey(text: string): Uint8Array | undefined {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return new Uint8Array(Buffer.from(value, "hex"));
  if (/^[A-Za-z0-9+/]{43}=?$/.test(value)) {
    const bytes = Buffer.from(value, "base64");
    if (bytes.length === 32) return new Uint8Array(bytes);
  }
  return undefined;
}

/** Renders a key the way key files store it (hex). */
export function encodeSecretKey(key: Uint8Array): string {
  return Buffer.from(key).toString("hex");
}

/** Hint shown when a key does not decode. */
export const SECRET_KEY_HINT =
  "a secret key is 32 random bytes as 64 hex characters (e.g. `openssl rand -hex 32`) or as base64";
