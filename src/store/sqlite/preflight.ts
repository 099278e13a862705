/**
 * Checks made before SQLite touches a file, so a wrong path, a read-only location or a file that is not a database
 * is reported clearly and never modified.
 */
import { accessSync, closeSync, constants, openSync, readSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { StoreError } from "../../errors.ts";
import { CORRUPT_HINT, READ_ONLY_HINT } from "./errors.ts";

const SQLITE_MAGIC = "SQLite format 3\u0000";

function canAccess(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}

/** Returns whether the store file already exists; throws StoreError for unusable locations and non-database files. */
export function preflightStoreFile(file: string): boolean {
  const dir = dirname(file);
  const dirStat = statSync(dir, { throwIfNoEntry: false });
  if (!dirStat?.isDirectory()) {
    throw new StoreError(`open store ${file}: directory ${dir} does not exist`, {
      hint: "create it, or set data_dir (or SCYLLA_MANAGER_DATA_DIR) to an existing directory",
    });
  }
  // SQLite writes its -wal file next to the database, so the directory must be writable even when the file exists.
  if (!canAccess(dir, constants.W_OK | constants.X_OK)) {
    throw new StoreError(`open store ${file}: directory ${dir} is read-only`, { hint: READ_ONLY_HINT });
  }
  const stat = statSync(file, { throwIfNoEntry: false });
  if (!stat) return false;
  if (!stat.isFile()) {
    throw new StoreError(`open store ${file}: not a regular file`, {
      hint: "point data_dir at a directory for the store",
    });
  }
  if (!canAccess(file, constants.R_OK | constants.W_OK)) {
    throw new StoreError(`open store ${file}: file is read-only`, { hint: READ_ONLY_HINT });
  }
  if (stat.size > 0 && readHeader(file) !== SQLITE_MAGIC) {
    throw new StoreError(`open store ${file}: corrupt or not a database (no SQLite header)`, { hint: CORRUPT_HINT });
  }
  return true;
}

function readHeader(file: string): string {
  const fd = openSync(file, "r");
  try {
    const buffer = Buffer.alloc(SQLITE_MAGIC.length);
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, read).toString("latin1");
  } finally {
    closeSync(fd);
  }
}
