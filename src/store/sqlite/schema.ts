/**
 * Versioned migrations of the SQLite store. Each one runs once, in order, inside a transaction together with its
 * bookkeeping row in `schema_migrations` and `PRAGMA user_version`. Never edit a shipped migration: add a new one.
 *
 * Records are JSON documents (`doc`) next to the key and index columns the queries need; this keeps the record
 * shapes of `store.ts` in one place. SM's 180-day TTL on run history is not applied (yet): rows are kept.
 */

export { idFromSortKey, timeSortKey } from "../keys.ts";

/** Identifies our files (`PRAGMA application_id`): "SCMG". */
export const APPLICATION_ID = 0x53434d47;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "initial",
    sql: `
      CREATE TABLE cluster (
        id TEXT PRIMARY KEY,
        doc TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE secret (
        cluster_id TEXT NOT NULL,
        key TEXT NOT NULL,
        alg TEXT NOT NULL,
        key_id TEXT NOT NULL,
        nonce BLOB NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (cluster_id, key)
      ) WITHOUT ROWID;
      CREATE TABLE drawer (
        cluster_id TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (cluster_id, key)
      ) WITHOUT ROWID;
      CREATE TABLE task (
        cluster_id TEXT NOT NULL,
        type TEXT NOT NULL,
        id TEXT NOT NULL,
        deleted INTEGER NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (cluster_id, type, id)
      ) WITHOUT ROWID;
      -- Runs and service runs are keyed by sort_key (= time order + id, see timeSortKey), so history lists read the
      -- primary key in order and need no second index; docs leave out the key fields the columns already hold.
      CREATE TABLE run (
        cluster_id TEXT NOT NULL,
        type TEXT NOT NULL,
        task_id TEXT NOT NULL,
        sort_key TEXT NOT NULL,
        status TEXT NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (cluster_id, type, task_id, sort_key)
      ) WITHOUT ROWID;
      CREATE INDEX run_status ON run (status);
      CREATE TABLE service_run (
        kind TEXT NOT NULL,
        cluster_id TEXT NOT NULL,
        task_id TEXT NOT NULL,
        sort_key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (kind, cluster_id, task_id, sort_key)
      ) WITHOUT ROWID;
      CREATE TABLE progress (
        kind TEXT NOT NULL,
        cluster_id TEXT NOT NULL,
        task_id TEXT NOT NULL,
        run_id TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (kind, cluster_id, task_id, run_id, key)
      ) WITHOUT ROWID;
    `,
  },
];

/** The schema version this build writes. */
export const LATEST_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);
