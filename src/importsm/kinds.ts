/**
 * SM's per-service rows as the values our services keep under the same kinds. SM's columns and UDT fields are not
 * always our names (repair's `keyspace_name` is our `keyspace`, a `token_range` UDT is our `[start, end]` pair of
 * decimal strings, backup's unit `keyspace_name` is our `keyspace`), SM writes Go's zero time for unset timestamps,
 * and every progress kind has its own row key; a row imported as its bare columns could be listed but not resumed
 * from nor shown. A kind without a converter here is kept as its columns under its clustering key.
 * @module
 */
import { type BackupRun, progressKey as backupProgressKey, type RunProgress } from "../backup/model.ts";
import { type ValidateHostProgress, progressKey as validateProgressKey } from "../backup/validate/model.ts";
import type { RepairProgressRow, RepairRunRow, RepairStateRow } from "../repair/model.ts";
import { repairProgressKey } from "../repair/progress.ts";
import { tableKey } from "../repair/schedule.ts";
import type { TabletTableProgress } from "../repair/tablet.ts";
import {
  type RestoreProgressRow,
  type RestoreRunState,
  type RestoreUnit,
  type RestoreView,
  progressRowKey as restoreProgressKey,
} from "../restore/model.ts";
import { type TableProgressRow, tableRowKey, type ViewProgressRow, viewRowKey } from "../restore/one2one/model.ts";
import type { RestoreStage } from "../restore/stage.ts";
import type { ProgressRow } from "../store/store.ts";
import { type RowLike, toJsonValue } from "./read.ts";

const raw = (row: RowLike, column: string): unknown => (row.keys().includes(column) ? row.get(column) : null);
const str = (row: RowLike, column: string): string => {
  const value = toJsonValue(raw(row, column));
  return value === null ? "" : String(value);
};
const num = (row: RowLike, column: string): number => Number(toJsonValue(raw(row, column)) ?? 0) || 0;
const bool = (row: RowLike, column: string): boolean => raw(row, column) === true;
const list = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value instanceof Set ? [...value] : value === null || value === undefined ? [] : [];
const strings = (row: RowLike, column: string): string[] => list(raw(row, column)).map((v) => String(toJsonValue(v)));
/** A timestamp as ISO, null when unset or Go's zero time (0001-01-01), which SM writes for unset times. */
export function smTime(value: unknown): string | null {
  if (!(value instanceof Date) || Number.isNaN(value.getTime()) || value.getUTCFullYear() <= 1) return null;
  return value.toISOString();
}
const time = (row: RowLike, column: string): string | null => smTime(raw(row, column));
const field = (udt: unknown, name: string): unknown =>
  udt && typeof udt === "object" ? (udt as Record<string, unknown>)[name] : undefined;
const fieldStr = (udt: unknown, name: string): string => {
  const value = toJsonValue(field(udt, name));
  return value === null || value === undefined ? "" : String(value);
};
/** A bigint as its exact decimal text (tokens do not fit a JS number). */
const decimal = (value: unknown): string => (value === null || value === undefined ? "0" : String(value));

/** A service run's value under `kind`, from SM's run row. */
export type RunConverter = (row: RowLike) => unknown;
/** A progress row (our key and value) under `kind`, from SM's row. */
export type ProgressConverter = (row: RowLike) => ProgressRow;

export const SM_RUN_CONVERTERS: Record<string, RunConverter> = {
  repair_run: (row): RepairRunRow => ({
    prev_id: str(row, "prev_id"),
    dc: strings(row, "dc"),
    host: str(row, "host"),
    parallel: num(row, "parallel"),
    intensity: num(row, "intensity"),
    start_time: time(row, "start_time") ?? new Date(0).toISOString(),
    end_time: time(row, "end_time"),
  }),
  backup_run: (row): BackupRun => ({
    prev_id: str(row, "prev_id"),
    snapshot_tag: str(row, "snapshot_tag"),
    // SM persists a unit's keyspace and tables; all_tables is not stored (SM reads it back as false too).
    units: list(raw(row, "units")).map((u) => ({
      keyspace: fieldStr(u, "keyspace_name"),
      tables: list(field(u, "tables")).map(String),
      all_tables: false,
    })),
    dc: strings(row, "dc"),
    nodes: strings(row, "nodes"),
    location: strings(row, "location"),
    start_time: time(row, "start_time") ?? new Date(0).toISOString(),
    stage: str(row, "stage"),
    retention_lock_mode: str(row, "retention_lock_mode") || "disabled",
    override_retention_lock: bool(row, "override_retention_lock"),
    retention_days: num(row, "retention_days"),
  }),
  restore_run: (row): RestoreRunState => ({
    id: str(row, "id"),
    prev_id: str(row, "prev_id"),
    snapshot_tag: str(row, "snapshot_tag"),
    stage: (str(row, "stage") || "INIT") as RestoreStage,
    repair_task_id: str(row, "repair_task_id"),
    units: list(raw(row, "units")).map(
      (u): RestoreUnit => ({
        keyspace: fieldStr(u, "keyspace_name"),
        size: Number(toJsonValue(field(u, "size")) ?? 0) || 0,
        tables: list(field(u, "tables")).map((t) => ({
          table: fieldStr(t, "table_name"),
          tombstone_gc: fieldStr(t, "tombstone_gc"),
          size: Number(toJsonValue(field(t, "size")) ?? 0) || 0,
        })),
      }),
    ),
    views: list(raw(row, "views")).map(
      (w): RestoreView => ({
        keyspace: fieldStr(w, "keyspace_name"),
        view: fieldStr(w, "view_name"),
        type: fieldStr(w, "view_type") === "SecondaryIndex" ? "SecondaryIndex" : "MaterializedView",
        base_table: fieldStr(w, "base_table"),
        create_stmt: fieldStr(w, "create_stmt"),
        ...(fieldStr(w, "build_status") ? { status: fieldStr(w, "build_status") } : {}),
      }),
    ),
  }),
};

export const SM_PROGRESS_CONVERTERS: Record<string, ProgressConverter> = {
  repair_run_progress: (row) => {
    const value: RepairProgressRow = {
      host: str(row, "host"),
      keyspace: str(row, "keyspace_name"),
      table: str(row, "table_name"),
      size: num(row, "size"),
      token_ranges: num(row, "token_ranges"),
      success: num(row, "success"),
      error: num(row, "error"),
      started_at: time(row, "started_at"),
      completed_at: time(row, "completed_at"),
    };
    return { key: repairProgressKey(value.host, value.keyspace, value.table), value };
  },
  repair_run_state: (row) => {
    const value: RepairStateRow = {
      keyspace: str(row, "keyspace_name"),
      table: str(row, "table_name"),
      success_ranges: list(raw(row, "success_ranges")).map((r): [string, string] => [
        decimal(field(r, "start_token")),
        decimal(field(r, "end_token")),
      ]),
    };
    return { key: tableKey(value.keyspace, value.table), value };
  },
  tablet_repair_run_progress: (row) => {
    const value: TabletTableProgress = {
      keyspace: str(row, "keyspace_name"),
      table: str(row, "table_name"),
      started_at: time(row, "started_at"),
      completed_at: time(row, "completed_at"),
      error: str(row, "error"),
    };
    // The key the tablet repair writes (src/repair/tablet.ts).
    return { key: `${value.keyspace}/${value.table}`, value };
  },
  backup_run_progress: (row) => {
    const value: RunProgress = {
      host: str(row, "host"),
      unit: num(row, "unit"),
      table_name: str(row, "table_name"),
      agent_job_id: num(row, "agent_job_id"),
      scylla_task_id: str(row, "scylla_task_id"),
      started_at: time(row, "started_at"),
      completed_at: time(row, "completed_at"),
      error: str(row, "error"),
      size: num(row, "size"),
      uploaded: num(row, "uploaded"),
      skipped: num(row, "skipped"),
      failed: num(row, "failed"),
      files_count: num(row, "files_count"),
      files_skipped_count: num(row, "files_skipped_count"),
    };
    return { key: backupProgressKey(value), value };
  },
  validate_backup_run_progress: (row) => {
    const value: ValidateHostProgress = {
      dc: str(row, "dc"),
      host: str(row, "host"),
      location: str(row, "location"),
      manifests: num(row, "manifests"),
      scanned_files: num(row, "scanned_files"),
      broken_snapshots: strings(row, "broken_snapshots"),
      missing_files: num(row, "missing_files"),
      orphaned_files: num(row, "orphaned_files"),
      orphaned_bytes: num(row, "orphaned_bytes"),
      deleted_files: num(row, "deleted_files"),
      started_at: time(row, "started_at"),
      completed_at: time(row, "completed_at"),
    };
    return { key: validateProgressKey(value), value };
  },
  restore_run_progress: (row) => {
    const value: RestoreProgressRow = {
      remote_sstable_dir: str(row, "remote_sstable_dir"),
      keyspace_name: str(row, "keyspace_name"),
      table_name: str(row, "table_name"),
      host: str(row, "host"),
      shard_cnt: num(row, "shard_cnt"),
      agent_job_id: num(row, "agent_job_id"),
      sstable_id: strings(row, "sstable_id"),
      download_started_at: time(row, "download_started_at"),
      download_completed_at: time(row, "download_completed_at"),
      restore_started_at: time(row, "restore_started_at"),
      restore_completed_at: time(row, "restore_completed_at"),
      downloaded: num(row, "downloaded"),
      versioned_downloaded: num(row, "versioned_downloaded"),
      restored: num(row, "restored"),
      failed: num(row, "failed"),
      error: str(row, "error"),
    };
    return { key: restoreProgressKey(value), value };
  },
  one2onerestore_run_table_progress: (row) => {
    const value: TableProgressRow = {
      started_at: time(row, "started_at"),
      completed_at: time(row, "completed_at"),
      keyspace_name: str(row, "keyspace_name"),
      table_name: str(row, "table_name"),
      host: str(row, "host"),
      error: str(row, "error"),
      table_size: num(row, "table_size"),
      downloaded: num(row, "downloaded"),
      versioned_downloaded: num(row, "versioned_downloaded"),
      is_refreshed: bool(row, "is_refreshed"),
    };
    return { key: tableRowKey(value), value };
  },
  one2onerestore_run_view_progress: (row) => {
    const value: ViewProgressRow = {
      started_at: time(row, "started_at"),
      completed_at: time(row, "completed_at"),
      keyspace_name: str(row, "keyspace_name"),
      table_name: str(row, "table_name"),
      view_name: str(row, "view_name"),
      view_type: str(row, "view_type"),
      view_build_status: str(row, "view_build_status") || "UNKNOWN",
      error: str(row, "error"),
    };
    return { key: viewRowKey(value), value };
  },
};
