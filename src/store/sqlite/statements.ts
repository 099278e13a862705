/** The prepared statements of the SQLite store and the write operations built on them (synchronous). */
import type { Database } from "bun:sqlite";
import type { RunRecord, StoreWrite } from "../store.ts";
import { idFromSortKey, timeSortKey } from "./schema.ts";

const RUN_COLUMNS = "cluster_id, type, task_id, sort_key, doc";

/** A row selected with RUN_COLUMNS. */
export interface RunRow {
  cluster_id: string;
  type: string;
  task_id: string;
  sort_key: string;
  doc: string;
}

/** Rebuilds a run from its key columns and its doc (which leaves the key fields out). */
export function toRunRecord(row: RunRow): RunRecord {
  const rest = JSON.parse(row.doc) as Omit<RunRecord, "clusterId" | "type" | "taskId" | "id">;
  return { clusterId: row.cluster_id, type: row.type, taskId: row.task_id, id: idFromSortKey(row.sort_key), ...rest };
}

export type Statements = ReturnType<typeof prepareStatements>;

/** Prepares every statement once per connection. */
export function prepareStatements(db: Database) {
  const q = (sql: string) => db.prepare(sql);
  return {
    putCluster: q("INSERT OR REPLACE INTO cluster (id, doc) VALUES (?, ?)"),
    getCluster: q("SELECT doc FROM cluster WHERE id = ?"),
    listClusters: q("SELECT doc FROM cluster ORDER BY id"),
    deleteCluster: q("DELETE FROM cluster WHERE id = ?"),

    putSecret: q("INSERT OR REPLACE INTO secret (cluster_id, key, alg, key_id, nonce, data) VALUES (?, ?, ?, ?, ?, ?)"),
    getSecret: q("SELECT key_id, nonce, data FROM secret WHERE cluster_id = ? AND key = ?"),
    deleteSecret: q("DELETE FROM secret WHERE cluster_id = ? AND key = ?"),
    deleteSecrets: q("DELETE FROM secret WHERE cluster_id = ?"),
    otherKeySecret: q("SELECT key_id FROM secret WHERE key_id <> ? LIMIT 1"),

    putDrawer: q("INSERT OR REPLACE INTO drawer (cluster_id, key, value) VALUES (?, ?, ?)"),
    getDrawer: q("SELECT value FROM drawer WHERE cluster_id = ? AND key = ?"),
    deleteDrawer: q("DELETE FROM drawer WHERE cluster_id = ? AND key = ?"),

    putTask: q("INSERT OR REPLACE INTO task (cluster_id, type, id, deleted, doc) VALUES (?, ?, ?, ?, ?)"),
    getTask: q("SELECT doc FROM task WHERE cluster_id = ? AND type = ? AND id = ?"),
    // ?2: type or NULL for all; ?3: 1 to include deleted tasks
    listTasks: q(
      "SELECT doc FROM task WHERE cluster_id = ?1 AND (?2 IS NULL OR type = ?2) AND (?3 = 1 OR deleted = 0) ORDER BY type, id",
    ),
    listAllTasks: q(
      "SELECT doc FROM task WHERE (?1 IS NULL OR type = ?1) AND (?2 = 1 OR deleted = 0) ORDER BY cluster_id, type, id",
    ),

    putRun: q(
      "INSERT OR REPLACE INTO run (cluster_id, type, task_id, sort_key, status, doc) VALUES (?, ?, ?, ?, ?, ?)",
    ),
    getRun: q(`SELECT ${RUN_COLUMNS} FROM run WHERE cluster_id = ? AND type = ? AND task_id = ? AND sort_key = ?`),
    listRuns: q(
      `SELECT ${RUN_COLUMNS} FROM run WHERE cluster_id = ? AND type = ? AND task_id = ? ORDER BY sort_key DESC LIMIT ?`,
    ),
    listRunsByStatus: q(
      `SELECT ${RUN_COLUMNS} FROM run WHERE status = ? ORDER BY cluster_id, type, task_id, sort_key DESC`,
    ),

    putServiceRun: q(
      "INSERT OR REPLACE INTO service_run (kind, cluster_id, task_id, sort_key, value) VALUES (?, ?, ?, ?, ?)",
    ),
    getServiceRun: q(
      "SELECT value FROM service_run WHERE kind = ? AND cluster_id = ? AND task_id = ? AND sort_key = ?",
    ),
    listServiceRuns: q(
      "SELECT sort_key, value FROM service_run WHERE kind = ? AND cluster_id = ? AND task_id = ? ORDER BY sort_key DESC LIMIT ?",
    ),

    putProgress: q(
      "INSERT OR REPLACE INTO progress (kind, cluster_id, task_id, run_id, key, value) VALUES (?, ?, ?, ?, ?, ?)",
    ),
    listProgress: q(
      "SELECT key, value FROM progress WHERE kind = ? AND cluster_id = ? AND task_id = ? AND run_id = ? ORDER BY key",
    ),
    deleteProgress: q("DELETE FROM progress WHERE kind = ? AND cluster_id = ? AND task_id = ? AND run_id = ?"),
    deleteProgressRow: q(
      "DELETE FROM progress WHERE kind = ? AND cluster_id = ? AND task_id = ? AND run_id = ? AND key = ?",
    ),
  };
}

/** JSON text of a value; `undefined` is stored as null. Throws on values JSON cannot hold (cycles, BigInt). */
export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** Applies one write. Call inside a transaction. */
export function applyWrite(s: Statements, write: StoreWrite): void {
  switch (write.op) {
    case "putCluster":
      s.putCluster.run(write.cluster.id, toJson(write.cluster));
      return;
    case "putDrawer":
      s.putDrawer.run(write.clusterId, write.key, toJson(write.value));
      return;
    case "deleteDrawer":
      s.deleteDrawer.run(write.clusterId, write.key);
      return;
    case "putTask": {
      const t = write.task;
      s.putTask.run(t.clusterId, t.type, t.id, t.deleted ? 1 : 0, toJson(t));
      return;
    }
    case "putRun": {
      const { clusterId, type, taskId, id, ...rest } = write.run;
      s.putRun.run(clusterId, type, taskId, timeSortKey(id), rest.status, toJson(rest));
      return;
    }
    case "putServiceRun": {
      const r = write.run;
      s.putServiceRun.run(write.kind, r.clusterId, r.taskId, timeSortKey(r.runId), toJson(r.value));
      return;
    }
    case "putProgress":
      for (const row of write.rows) {
        s.putProgress.run(write.kind, write.clusterId, write.taskId, write.runId, row.key, toJson(row.value));
      }
      return;
    case "deleteProgress":
      if (write.keys === undefined) s.deleteProgress.run(write.kind, write.clusterId, write.taskId, write.runId);
      else {
        for (const key of write.keys) {
          s.deleteProgressRow.run(write.kind, write.clusterId, write.taskId, write.runId, key);
        }
      }
      return;
  }
}
