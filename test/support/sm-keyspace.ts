/**
 * A keyspace shaped as Scylla Manager 3.x leaves it, for `import-sm` tests: the user types and tables that SM's
 * migrations (`schema/*.cql` in SM's source, 001-init_scheduler.cql through v3.x12.0.cql, plus the table its v3.6.0
 * callback recreates) end with, consolidated into one CREATE per object, with SM's column types, primary keys,
 * clustering orders and `default_time_to_live`s; and `gocqlx_migrate` holding a done row per migration file, as SM's
 * migrator records them. Columns checked against SM's generated `pkg/schema/table/table.go`.
 *
 * What differs from a hand-written approximation matters to the importer: `backup_run_progress.unit` is an int,
 * `backup_unit` has no `all_tables` field, `repair_run.id` is a uuid while `backup_run.id` is a timeuuid,
 * `repair_run_state` holds a set of `token_range` UDTs, rows carry the tables' TTLs, and the `repair_unit` type of
 * an old migration is still there.
 */
import type cassandra from "cassandra-driver";

/** SM's TTL on run history and progress (and, as SM declares it, on scheduler_task): 180 days. */
export const SM_TTL = 15_552_000;

/** SM's migration files, in the order its migrator applies them (gocqlx_migrate names). */
export const SM_MIGRATION_FILES = [
  "001-init_scheduler.cql",
  "002-init_repair.cql",
  "003-init_cluster.cql",
  "004-repair_run_progress_segment_error_start_tokens.cql",
  "005-drop_repair_config.cql",
  "006-ssh_user_per_cluster.cql",
  "007-task_properties_as_blob.cql",
  "008-drop_repair_unit.cql",
  "009-scheduler_remove_task_metadata.cql",
  "010-cluster_drop_shard_count.cql",
  "011-cluster_add_host.cql",
  "013-update_ttl.cql",
  "014-scheduler_rename_interval_days_to_interval_seconds.cql",
  "015-cluster_add_known_hosts.cql",
  "016-cluster_drop_host.cql",
  "018-empty.cql",
  "019-repair_segment_error_pos.cql",
  "v2.0.0.cql",
  "v2.1.0.cql",
  "v2.2.0.cql",
  "v2.2.3.cql",
  "v2.3.0.cql",
  "v2.4.0.cql",
  "v3.0.0.cql",
  "v3.1.0.cql",
  "v3.2.0.cql",
  "v3.2.2.cql",
  "v3.2.6.cql",
  "v3.3.1.cql",
  "v3.4.0.cql",
  "v3.5.0.cql",
  "v3.6.0.cql",
  "v3.8.0.cql",
  "v3.x11.0.cql",
  "v3.x12.0.cql",
] as const;

const PROGRESS_KEY = "cluster_id uuid, task_id uuid, run_id uuid";
const TTL = `default_time_to_live = ${SM_TTL}`;

/** The DDL of SM 3.x's keyspace objects (after the keyspace exists), `ks` quoted. */
export function smSchemaStatements(ks: string): string[] {
  return [
    `CREATE TYPE ${ks}.schedule (start_date timestamp, interval_seconds int, num_retries int, cron text,
      window list<text>, timezone text, retry_wait bigint)`,
    `CREATE TYPE ${ks}.repair_unit (keyspace_name text, tables set<text>, coordinator_dc text)`,
    `CREATE TYPE ${ks}.backup_unit (keyspace_name text, tables set<text>)`,
    `CREATE TYPE ${ks}.restore_table (table_name text, size bigint, tombstone_gc text)`,
    `CREATE TYPE ${ks}.restore_unit (keyspace_name text, size bigint, tables set<frozen<restore_table>>)`,
    `CREATE TYPE ${ks}.restore_view (keyspace_name text, view_name text, base_table text, view_type text,
      create_stmt text, build_status text)`,
    `CREATE TYPE ${ks}.token_range (start_token bigint, end_token bigint)`,
    `CREATE TABLE ${ks}.gocqlx_migrate (name text PRIMARY KEY, checksum text, done int, start_time timestamp,
      end_time timestamp)`,
    `CREATE TABLE ${ks}.cluster (id uuid PRIMARY KEY, name text, known_hosts set<text>, auth_token text, port int,
      force_tls_disabled boolean, force_non_ssl_session_port boolean, host text, labels map<text, text>)`,
    `CREATE TABLE ${ks}.secrets (cluster_id uuid, key text, value blob, PRIMARY KEY (cluster_id, key))`,
    `CREATE TABLE ${ks}.drawer (cluster_id uuid, key text, value blob, PRIMARY KEY (cluster_id, key))`,
    `CREATE TABLE ${ks}.scheduler_task (cluster_id uuid, type text, id uuid, name text, enabled boolean,
      sched frozen<schedule>, properties blob, status text, success_count int, error_count int,
      last_success timestamp, last_error timestamp, deleted boolean, labels map<text, text>,
      PRIMARY KEY (cluster_id, type, id)) WITH ${TTL}`,
    `CREATE TABLE ${ks}.scheduler_task_run (cluster_id uuid, type text, task_id uuid, id timeuuid, status text,
      cause text, owner text, start_time timestamp, end_time timestamp,
      PRIMARY KEY ((cluster_id, type, task_id), id)) WITH CLUSTERING ORDER BY (id DESC) AND ${TTL}`,
    `CREATE TABLE ${ks}.repair_run (cluster_id uuid, task_id uuid, id uuid, prev_id uuid, dc list<text>,
      start_time timestamp, host text, end_time timestamp, parallel int, intensity int,
      PRIMARY KEY ((cluster_id, task_id), id)) WITH CLUSTERING ORDER BY (id DESC) AND ${TTL}`,
    `CREATE TABLE ${ks}.repair_run_progress (${PROGRESS_KEY}, host text, keyspace_name text, table_name text,
      token_ranges bigint, success bigint, error bigint, started_at timestamp, completed_at timestamp,
      duration bigint, duration_started_at timestamp, size bigint,
      PRIMARY KEY ((cluster_id, task_id, run_id), host, keyspace_name, table_name)) WITH ${TTL}`,
    `CREATE TABLE ${ks}.repair_run_state (${PROGRESS_KEY}, keyspace_name text, table_name text,
      success_ranges set<frozen<token_range>>,
      PRIMARY KEY ((cluster_id, task_id, run_id), keyspace_name, table_name)) WITH ${TTL}`,
    `CREATE TABLE ${ks}.tablet_repair_run_progress (${PROGRESS_KEY}, keyspace_name text, table_name text,
      started_at timestamp, completed_at timestamp, error text,
      PRIMARY KEY ((cluster_id, task_id, run_id), keyspace_name, table_name)) WITH ${TTL}`,
    `CREATE TABLE ${ks}.backup_run (cluster_id uuid, task_id uuid, id timeuuid, prev_id timeuuid, snapshot_tag text,
      units list<frozen<backup_unit>>, dc list<text>, location list<text>, start_time timestamp, stage text,
      nodes set<text>, retention_lock_mode text, override_retention_lock boolean, retention_days int,
      PRIMARY KEY ((cluster_id, task_id), id)) WITH CLUSTERING ORDER BY (id DESC) AND ${TTL}`,
    `CREATE TABLE ${ks}.backup_run_progress (${PROGRESS_KEY}, agent_job_id bigint, host text, unit int,
      table_name text, started_at timestamp, completed_at timestamp, error text, size bigint, uploaded bigint,
      skipped bigint, failed bigint, scylla_task_id text, files_count bigint, files_skipped_count bigint,
      PRIMARY KEY ((cluster_id, task_id, run_id), host, unit, table_name)) WITH ${TTL}`,
    `CREATE TABLE ${ks}.validate_backup_run_progress (${PROGRESS_KEY}, dc text, host text, location text,
      manifests int, scanned_files int, broken_snapshots list<text>, missing_files int, orphaned_files int,
      orphaned_bytes bigint, deleted_files int, started_at timestamp, completed_at timestamp,
      PRIMARY KEY ((cluster_id, task_id, run_id), dc, host, location))`,
    `CREATE TABLE ${ks}.restore_run (cluster_id uuid, task_id uuid, id uuid, prev_id uuid, snapshot_tag text,
      stage text, units list<frozen<restore_unit>>, repair_task_id uuid, views list<frozen<restore_view>>,
      PRIMARY KEY ((cluster_id, task_id), id)) WITH CLUSTERING ORDER BY (id DESC) AND ${TTL}`,
    `CREATE TABLE ${ks}.restore_run_progress (${PROGRESS_KEY}, remote_sstable_dir text, keyspace_name text,
      table_name text, host text, agent_job_id bigint, scylla_task_id text, sstable_id list<text>,
      restore_started_at timestamp, restore_completed_at timestamp, download_started_at timestamp,
      download_completed_at timestamp, restored bigint, downloaded bigint, versioned_downloaded bigint,
      failed bigint, error text, shard_cnt bigint,
      PRIMARY KEY ((cluster_id, task_id, run_id), remote_sstable_dir, keyspace_name, table_name, host,
        agent_job_id, scylla_task_id)) WITH ${TTL}`,
    `CREATE TABLE ${ks}.one2onerestore_run_table_progress (${PROGRESS_KEY}, started_at timestamp,
      completed_at timestamp, keyspace_name text, table_name text, host text, error text, table_size bigint,
      downloaded bigint, versioned_downloaded bigint, is_refreshed boolean,
      PRIMARY KEY ((cluster_id, task_id, run_id), keyspace_name, table_name, host)) WITH ${TTL}`,
    `CREATE TABLE ${ks}.one2onerestore_run_view_progress (${PROGRESS_KEY}, started_at timestamp,
      completed_at timestamp, keyspace_name text, table_name text, view_name text, view_type text,
      view_build_status text, error text,
      PRIMARY KEY ((cluster_id, task_id, run_id), keyspace_name, table_name, view_type)) WITH ${TTL}`,
  ];
}

/**
 * Creates `keyspace` (SimpleStrategy, RF 1) with SM 3.x's types and tables, and records every SM migration as done
 * in its gocqlx_migrate. The caller drops it.
 */
export async function createSmKeyspace(client: cassandra.Client, keyspace: string): Promise<void> {
  const ks = `"${keyspace.replaceAll('"', '""')}"`;
  await client.execute(`CREATE KEYSPACE ${ks} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
  for (const statement of smSchemaStatements(ks)) await client.execute(statement);
  const at = new Date("2026-01-01T00:00:00Z").getTime();
  for (const [i, name] of SM_MIGRATION_FILES.entries()) {
    await client.execute(
      `INSERT INTO ${ks}.gocqlx_migrate (name, checksum, done, start_time, end_time) VALUES (?, ?, ?, ?, ?)`,
      [name, `fixture-${i}`, 1, new Date(at + i * 1000), new Date(at + i * 1000 + 500)],
      { prepare: true },
    );
  }
}
