/** Maps SQLite failures to StoreErrors that name the file and say what to do. */
import { isManagerError, StoreError } from "../../errors.ts";

const LOCKED_HINT =
  "another scylla-manager process is using this store; stop it, or give this one its own data_dir (SCYLLA_MANAGER_DATA_DIR)";
export const READ_ONLY_HINT = "make the file and its directory writable by the user running scylla-manager";
export const CORRUPT_HINT =
  "the file was left untouched: restore it from a backup, or move it away to start with an empty store";

/** The SQLite error code (`SQLITE_BUSY`...) of a thrown value, or "". */
export function sqliteCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "";
}

/** Wraps `error` from `action` on `file` as a StoreError; StoreErrors (and other ManagerErrors) pass through. */
export function toStoreError(action: string, file: string, error: unknown): Error {
  const prefix = action === "open store" ? `open store ${file}` : `${action}: store ${file}`;
  if (isManagerError(error)) {
    if (error.message.includes(file)) return error;
    return new StoreError(`${prefix}: ${error.message}`, { hint: error.hint, cause: error });
  }
  const code = sqliteCode(error);
  const text = error instanceof Error ? error.message : String(error);
  const make = (problem: string, hint: string) => new StoreError(`${prefix}: ${problem}`, { hint, cause: error });
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"))
    return make("locked by another process", LOCKED_HINT);
  if (code.startsWith("SQLITE_READONLY")) return make("read-only", READ_ONLY_HINT);
  if (code.startsWith("SQLITE_NOTADB") || code.startsWith("SQLITE_CORRUPT")) {
    return make(`corrupt or not a database (${text})`, CORRUPT_HINT);
  }
  if (code.startsWith("SQLITE_CANTOPEN"))
    return make(`cannot open (${text})`, "check that the directory exists and is writable");
  if (code.startsWith("SQLITE_FULL")) return make("disk full", "free space on the data_dir file system");
  if (code.startsWith("SQLITE_IOERR"))
    return make(`I/O error (${text})`, "check the disk and the file system of data_dir");
  return make(text, "the failed operation changed nothing in the store");
}
