/** Where the secrets key comes from: config `secret_key`, config `secret_key_file`, or `<data_dir>/secret.key`. */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, linkSync, openSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { decodeSecretKey, encodeSecretKey, SECRET_KEY_HINT } from "../config/secret-key.ts";
import { StoreError } from "../errors.ts";
import { readTextFile } from "../util/read-file.ts";

/** File name of the generated key inside data_dir. */
export const SECRET_KEY_FILE_NAME = "secret.key";

export interface SecretKeySource {
  secret_key: string;
  secret_key_file: string;
}

export interface ResolvedSecretKey {
  key: Uint8Array;
  /** Set when the key is new: call `writeNewKeyFile` once the store opened with it. */
  pendingFile?: string;
}

/**
 * The key for secrets at rest. A missing `<dataDir>/secret.key` yields a fresh random key to be written (mode 0600)
 * only after the store opened with it, so a store holding secrets of a lost key never gets a second key file.
 */
export function resolveSecretKey(source: SecretKeySource, dataDir: string): ResolvedSecretKey {
  if (source.secret_key) {
    const key = decodeSecretKey(source.secret_key);
    if (!key) throw new StoreError("invalid secret_key in config", { hint: SECRET_KEY_HINT });
    return { key };
  }
  if (source.secret_key_file) return { key: readKeyFile(source.secret_key_file, false) ?? new Uint8Array() };
  const file = join(dataDir, SECRET_KEY_FILE_NAME);
  const key = readKeyFile(file, true);
  return key ? { key } : { key: new Uint8Array(randomBytes(32)), pendingFile: file };
}

function readKeyFile(file: string, optional: boolean): Uint8Array | undefined {
  const text = readTextFile(
    file,
    (reason, error) => {
      throw new StoreError(`read secret key file ${file}: ${reason}`, {
        hint: "check secret_key_file in the config, or remove it to use <data_dir>/secret.key",
        cause: error,
      });
    },
    optional,
  );
  if (text === undefined) return undefined;
  const key = decodeSecretKey(text);
  if (!key) throw new StoreError(`read secret key file ${file}: not a valid key`, { hint: SECRET_KEY_HINT });
  return key;
}

/**
 * Writes a new key file with mode 0600, atomically: a temp file is filled and synced, then hard-linked into place
 * (which fails rather than overwrite an existing key).
 */
export function writeNewKeyFile(file: string, key: Uint8Array): void {
  const temp = `${file}.tmp-${process.pid}`;
  try {
    const fd = openSync(temp, "wx", 0o600);
    try {
      writeSync(fd, `${encodeSecretKey(key)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    linkSync(temp, file);
  } catch (error) {
    throw new StoreError(`write secret key file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      hint: "make data_dir writable, or set secret_key / secret_key_file in the config",
      cause: error,
    });
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // the temp file was never created
    }
  }
}
