/**
 * Auth tokens for the agent API, as SM's `scyllamgr_auth_token_gen` makes them: 128 characters of [a-zA-Z0-9]
 * from a cryptographic source (about 762 bits), so they can be pasted into YAML without quoting.
 * @module
 */
import { randomInt } from "node:crypto";

const ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** A fresh random token of `length` characters (default 128). */
export function generateAuthToken(length = 128): string {
  let token = "";
  for (let i = 0; i < length; i++) token += ALPHABET[randomInt(ALPHABET.length)];
  return token;
}
