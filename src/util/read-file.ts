/**
 * Reading small text files (config, keys, certificates) with failures described in words a user can act on.
 * @module
 */
import { readFileSync } from "node:fs";

/** Throws the caller's own error (ConfigError, StoreError, …) for a read that failed with `reason`. */
export type ReadFailure = (reason: string, error: unknown) => never;

/** Why reading a file failed: "no such file", "permission denied", "is a directory, not a file", else the message. */
export function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "is a directory, not a file";
  return error instanceof Error ? error.message : String(error);
}

/**
 * The UTF-8 text of `file`. With `optional`, a missing file gives undefined; every other failure is handed to
 * `fail` with its description.
 */
export function readTextFile(file: string, fail: ReadFailure): string;
export function readTextFile(file: string, fail: ReadFailure, optional: boolean): string | undefined;
export function readTextFile(file: string, fail: ReadFailure, optional = false): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    if (optional && (error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    return fail(describeReadError(error), error);
  }
}
