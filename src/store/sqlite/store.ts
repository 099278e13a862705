/**
 * The embedded default Store on bun:sqlite (Bun only; load it through `openStore`, which imports it dynamically).
 *
 * - One file; WAL journal; every write is one transaction (a batch too), so a killed process leaves each write
 *   either complete or absent.
 * - `synchronous = NORMAL` by default: in WAL mode a commit is atomic and the file never corrupts on a process crash
 *   or power loss; power loss may only roll back the last commits, which the scheduler already tolerates (runs found
 *   RUNNING at start are marked ABORTED). `FULL` (an fsync per commit) is available for stricter durability.
 * - `locking_mode = EXCLUSIVE`: one process owns the store while it is open; a second scylla-manager on the same
 *   data_dir waits `busyTimeoutMs` and then fails with a clear error instead of running every schedule twice.
 * - Files this build must not touch (not a database, another application's, a newer schema) are refused before
 *   anything is written.
 * @module
 */
import { Database } from "bun:sqlite";
import { StoreError } from "../../errors.ts";
import type { ClusterRecord, Store, StoreWrite, TaskRecord } from "../store.ts";
import { createSecretCipher, SECRET_ALGORITHM } from "./crypto.ts";
import { toStoreError } from "./errors.ts";
import { backUpBeforeMigrating, checkSchemaVersion, migrate } from "./migrate.ts";
import { preflightStoreFile } from "./preflight.ts";
import { idFromSortKey, timeSortKey } from "./schema.ts";
import { applyWrite, prepareStatements, type RunRow, toRunRecord } from "./statements.ts";

export interface SqliteStoreOptions {
  /** The 32-byte AES-256 key that encrypts secrets (see `resolveSecretKey`). */
  secretKey: Uint8Array;
  /** How long to wait for a lock held by another process before failing, in ms. Default 5000. */
  busyTimeoutMs?: number;
  /** `PRAGMA synchronous`. Default "normal" (see the module doc). */
  synchronous?: "normal" | "full";
}

type DocRow = { doc: string };
type ValueRow = { value: string };

const parseDoc = <T>(row: DocRow | null): T | undefined => (row ? (JSON.parse(row.doc) as T) : undefined);
const parseDocs = <T>(rows: DocRow[]): T[] => rows.map((row) => JSON.parse(row.doc) as T);

/**
 * Opens (creating if missing) the SQLite store at `file`, migrating it to the current schema.
 * @throws StoreError naming the file, with a hint, when the file is corrupt, locked, newer, read-only, or its
 *   secrets were encrypted with another key. The file is never truncated or rewritten on these paths.
 */
export async function openSqliteStore(file: string, options: SqliteStoreOptions): Promise<Store> {
  const cipher = createSecretCipher(options.secretKey);
  preflightStoreFile(file);
  let db: Database;
  try {
    db = new Database(file, { create: true, readwrite: true, strict: true });
  } catch (error) {
    throw toStoreError("open store", file, error);
  }
  try {
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    db.exec("PRAGMA locking_mode = EXCLUSIVE");
    checkSchemaVersion(db, file); // reads only; takes the lock
    const mode = db.query("PRAGMA journal_mode = WAL").get() as { journal_mode: string };
    if (mode.journal_mode.toLowerCase() !== "wal") {
      throw new StoreError(`open store ${file}: cannot switch to WAL journal (got ${mode.journal_mode})`, {
        hint: "put data_dir on a local file system",
      });
    }
    db.exec(`PRAGMA synchronous = ${options.synchronous === "full" ? "FULL" : "NORMAL"}`);
    db.exec("PRAGMA cache_size = -16384"); // 16 MiB page cache (default 2 MiB) keeps history indexes hot
    backUpBeforeMigrating(db, file);
    migrate(db);
    // Take the write lock now, so a second process fails at open rather than at its first write.
    db.exec("BEGIN IMMEDIATE; COMMIT");
    const s = prepareStatements(db);
    const other = s.otherKeySecret.get(cipher.keyId) as { key_id: string } | null;
    if (other) {
      throw new StoreError(
        `open store ${file}: its secrets were encrypted with key ${other.key_id}, but the configured key is ${cipher.keyId}`,
        {
          hint: "configure the key used before (secret_key, secret_key_file or <data_dir>/secret.key); the store was not changed",
        },
      );
    }
    return createSqliteStore(db, file, s, cipher);
  } catch (error) {
    closeQuietly(db);
    throw toStoreError("open store", file, error);
  }
}

function createSqliteStore(
  db: Database,
  file: string,
  s: ReturnType<typeof prepareStatements>,
  cipher: ReturnType<typeof createSecretCipher>,
): Store {
  let closed = false;
  const writeAll = db.transaction((writes: StoreWrite[]) => {
    for (const write of writes) applyWrite(s, write);
  });

  async function call<T>(action: string, fn: () => T): Promise<T> {
    if (closed) throw new StoreError(`${action}: store ${file} is closed`, { hint: "open the store again" });
    try {
      return fn();
    } catch (error) {
      throw toStoreError(action, file, error);
    }
  }
  const write = (action: string, writes: StoreWrite[]) => call(action, () => void writeAll(writes));
  const context = (clusterId: string, key: string) => `${clusterId}\u0000${key}`;

  return {
    putCluster: (cluster) => write("put cluster", [{ op: "putCluster", cluster }]),
    getCluster: (id) => call("get cluster", () => parseDoc<ClusterRecord>(s.getCluster.get(id) as DocRow | null)),
    listClusters: () => call("list clusters", () => parseDocs<ClusterRecord>(s.listClusters.all() as DocRow[])),
    deleteCluster: (id) => call("delete cluster", () => void db.transaction(() => s.deleteCluster.run(id))()),

    putSecret: (clusterId, key, value) =>
      call("put secret", () => {
        const sealed = cipher.seal(value, context(clusterId, key));
        db.transaction(() =>
          s.putSecret.run(clusterId, key, SECRET_ALGORITHM, sealed.keyId, sealed.nonce, sealed.data),
        )();
      }),
    getSecret: (clusterId, key) =>
      call("get secret", () => {
        const row = s.getSecret.get(clusterId, key) as { key_id: string; nonce: Uint8Array; data: Uint8Array } | null;
        if (!row) return undefined;
        return cipher.open({ keyId: row.key_id, nonce: row.nonce, data: row.data }, context(clusterId, key));
      }),
    deleteSecret: (clusterId, key) =>
      call("delete secret", () => void db.transaction(() => s.deleteSecret.run(clusterId, key))()),
    deleteSecrets: (clusterId) =>
      call("delete secrets", () => void db.transaction(() => s.deleteSecrets.run(clusterId))()),

    putDrawer: (clusterId, key, value) => write("put drawer", [{ op: "putDrawer", clusterId, key, value }]),
    getDrawer: (clusterId, key) =>
      call("get drawer", () => {
        const row = s.getDrawer.get(clusterId, key) as ValueRow | null;
        return row ? (JSON.parse(row.value) as unknown) : undefined;
      }),
    deleteDrawer: (clusterId, key) => write("delete drawer", [{ op: "deleteDrawer", clusterId, key }]),

    putTask: (task) => write("put task", [{ op: "putTask", task }]),
    getTask: (clusterId, type, id) =>
      call("get task", () => parseDoc<TaskRecord>(s.getTask.get(clusterId, type, id) as DocRow | null)),
    listTasks: (clusterId, filter = {}) =>
      call("list tasks", () =>
        parseDocs<TaskRecord>(
          s.listTasks.all(clusterId, filter.type ?? null, filter.includeDeleted ? 1 : 0) as DocRow[],
        ),
      ),
    listAllTasks: (filter = {}) =>
      call("list tasks", () =>
        parseDocs<TaskRecord>(s.listAllTasks.all(filter.type ?? null, filter.includeDeleted ? 1 : 0) as DocRow[]),
      ),

    putRun: (run) => write("put run", [{ op: "putRun", run }]),
    getRun: (clusterId, type, taskId, runId) =>
      call("get run", () => {
        const row = s.getRun.get(clusterId, type, taskId, timeSortKey(runId)) as RunRow | null;
        return row ? toRunRecord(row) : undefined;
      }),
    listRuns: (clusterId, type, taskId, limit) =>
      call("list runs", () =>
        (s.listRuns.all(clusterId, type, taskId, limit > 0 ? limit : -1) as RunRow[]).map(toRunRecord),
      ),
    listRunsByStatus: (status) =>
      call("list runs", () => (s.listRunsByStatus.all(status) as RunRow[]).map(toRunRecord)),

    putServiceRun: (kind, run) => write("put service run", [{ op: "putServiceRun", kind, run }]),
    getServiceRun: (kind, clusterId, taskId, runId) =>
      call("get service run", () => {
        const row = s.getServiceRun.get(kind, clusterId, taskId, timeSortKey(runId)) as ValueRow | null;
        return row ? { clusterId, taskId, runId, value: JSON.parse(row.value) as unknown } : undefined;
      }),
    listServiceRuns: (kind, clusterId, taskId, limit) =>
      call("list service runs", () => {
        const rows = s.listServiceRuns.all(kind, clusterId, taskId, limit > 0 ? limit : -1) as {
          sort_key: string;
          value: string;
        }[];
        return rows.map((row) => ({
          clusterId,
          taskId,
          runId: idFromSortKey(row.sort_key),
          value: JSON.parse(row.value) as unknown,
        }));
      }),
    putProgress: (kind, clusterId, taskId, runId, rows) =>
      write("put progress", [{ op: "putProgress", kind, clusterId, taskId, runId, rows }]),
    listProgress: (kind, clusterId, taskId, runId) =>
      call("list progress", () =>
        (s.listProgress.all(kind, clusterId, taskId, runId) as { key: string; value: string }[]).map((row) => ({
          key: row.key,
          value: JSON.parse(row.value) as unknown,
        })),
      ),
    deleteProgress: (kind, clusterId, taskId, runId, keys) =>
      write("delete progress", [{ op: "deleteProgress", kind, clusterId, taskId, runId, ...(keys ? { keys } : {}) }]),

    batch: (writes) => write("write batch", writes),

    close: async () => {
      if (closed) return;
      closed = true;
      try {
        // throwOnError finalizes prepared statements and releases the file lock now, not at garbage collection.
        db.close(true);
      } catch (error) {
        throw toStoreError("close store", file, error);
      }
    },
  };
}

function closeQuietly(db: Database): void {
  try {
    db.close(true);
  } catch {
    // already failing: the original error is the one to report
  }
}
