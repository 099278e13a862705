/**
 * The CQL store's schema: versioned migrations recorded in `gocqlx_migrate` (SM's bookkeeping table and shape:
 * name, checksum, done, start_time, end_time). Never edit a shipped migration: add a new one.
 *
 * Tables keep SM's names where the data is SM's (`cluster`, `secrets`, `drawer`, `scheduler_task`,
 * `scheduler_task_run`); the per-service kinds (`repair_run`, `backup_run_progress`...) share two generic tables,
 * `service_run` and `service_run_progress`, with the kind in the partition key. Records are JSON documents next to
 * the key and index columns the queries need, as in the SQLite store. Only CQL that ScyllaDB and Cassandra both
 * accept is used (no SASI/SAI, no materialized views, no `WITH ID`).
 *
 * TTLs are set per write (`USING TTL`), as SM's 180 days on run history and progress, none on
 * `validate_backup_run_progress` (as SM) and none on clusters, secrets, drawer and tasks.
 * @module
 */
import { createHash } from "node:crypto";

/** SM's TTL on run and progress rows: 180 days. */
export const RUN_TTL_SECONDS = 15_552_000;

/** Kinds whose rows never expire (SM declares no TTL on these tables). */
export const NO_TTL_KINDS: ReadonlySet<string> = new Set(["validate_backup_run_progress"]);

/** The bookkeeping table (SM's name). */
export const MIGRATIONS_TABLE = "gocqlx_migrate";

/** Creates the bookkeeping table (SM's shape), `{ks}` for the quoted keyspace. */
export const MIGRATIONS_TABLE_DDL = `CREATE TABLE IF NOT EXISTS {ks}.${MIGRATIONS_TABLE} (name text PRIMARY KEY, checksum text, done int, start_time timestamp, end_time timestamp)`;

export interface CqlMigration {
  /** File-like name recorded in gocqlx_migrate, e.g. "001_initial.cql". */
  name: string;
  /**
   * Statements, each idempotent (IF NOT EXISTS; `ALTER TABLE ... ADD column` is skipped when the column exists),
   * with `{ks}` for the quoted keyspace.
   */
  statements: string[];
}

export const CQL_MIGRATIONS: readonly CqlMigration[] = [
  {
    name: "001_initial.cql",
    statements: [
      "CREATE TABLE IF NOT EXISTS {ks}.cluster (id text PRIMARY KEY, doc text)",
      `CREATE TABLE IF NOT EXISTS {ks}.secrets (
        cluster_id text, key text, alg text, key_id text, nonce blob, data blob,
        PRIMARY KEY (cluster_id, key))`,
      "CREATE TABLE IF NOT EXISTS {ks}.drawer (cluster_id text, key text, value text, PRIMARY KEY (cluster_id, key))",
      `CREATE TABLE IF NOT EXISTS {ks}.scheduler_task (
        cluster_id text, type text, id text, deleted boolean, doc text,
        PRIMARY KEY (cluster_id, type, id))`,
      // sort_key = time order of the run's time-UUID + the id (see keys.ts timeSortKey): newest first.
      `CREATE TABLE IF NOT EXISTS {ks}.scheduler_task_run (
        cluster_id text, type text, task_id text, sort_key text, status text, doc text,
        PRIMARY KEY ((cluster_id, type, task_id), sort_key)) WITH CLUSTERING ORDER BY (sort_key DESC)`,
      "CREATE INDEX IF NOT EXISTS scheduler_task_run_status ON {ks}.scheduler_task_run (status)",
      `CREATE TABLE IF NOT EXISTS {ks}.service_run (
        kind text, cluster_id text, task_id text, sort_key text, value text,
        PRIMARY KEY ((kind, cluster_id, task_id), sort_key)) WITH CLUSTERING ORDER BY (sort_key DESC)`,
      `CREATE TABLE IF NOT EXISTS {ks}.service_run_progress (
        kind text, cluster_id text, task_id text, run_id text, key text, value text,
        PRIMARY KEY ((kind, cluster_id, task_id, run_id), key))`,
      // The leader lease of several servers on one store (lightweight transactions only).
      "CREATE TABLE IF NOT EXISTS {ks}.leader_lease (name text PRIMARY KEY, owner text, address text, expires_at timestamp)",
    ],
  },
  {
    name: "002_task_version.cql",
    statements: [
      // A new random value with every task write, in the tasks' partition (one INSERT sets it with the row, so a
      // reader never sees the version without the row): servers keep a cluster's tasks in memory and re-read them
      // only when it changed. Applied only when the column is missing (see migrate.ts).
      "ALTER TABLE {ks}.scheduler_task ADD tasks_version text STATIC",
    ],
  },
];

/** The checksum recorded for a migration (hex SHA-256 of its statements). */
export function migrationChecksum(migration: CqlMigration): string {
  const hash = createHash("sha256");
  for (const statement of migration.statements) hash.update(statement.replace(/\s+/g, " ").trim()).update("\n");
  return hash.digest("hex");
}

/** A keyspace name as a quoted CQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
