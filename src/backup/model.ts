/**
 * Backup run bookkeeping as SM persists it (`backup_run`, `backup_run_progress`) and its stage order
 * (`pkg/service/backup/stage.go`).
 * @module
 */
import * as v from "valibot";

/** Stages in SM's order. */
export const STAGES = [
  "INIT",
  "SNAPSHOT",
  "AWAIT_SCHEMA",
  "INDEX",
  "MANIFEST",
  "SCHEMA",
  "DEDUPLICATE",
  "UPLOAD",
  "MOVE_MANIFEST",
  "RETENTION_LOCK",
  "MIGRATE",
  "PURGE",
  "DONE",
] as const;
export type Stage = (typeof STAGES)[number];

/** Stages a later run may resume from. */
export const RESUMABLE_STAGES: ReadonlySet<Stage> = new Set([
  "INDEX",
  "MANIFEST",
  "DEDUPLICATE",
  "UPLOAD",
  "MOVE_MANIFEST",
  "RETENTION_LOCK",
  "MIGRATE",
  "PURGE",
]);

/** sctool's stage descriptions (`RUNNING (uploading data)`). */
export const STAGE_DESCRIPTIONS: Record<string, string> = {
  INIT: "initialising",
  SNAPSHOT: "taking snapshot",
  AWAIT_SCHEMA: "awaiting schema agreement",
  INDEX: "indexing files",
  MANIFEST: "uploading manifests",
  SCHEMA: "uploading schema",
  DEDUPLICATE: "deduplicating the snapshot",
  UPLOAD: "uploading data",
  MOVE_MANIFEST: "moving manifests",
  RETENTION_LOCK: "setting retention locks",
  MIGRATE: "migrating legacy metadata",
  PURGE: "retention",
};

export function stageIndex(stage: string): number {
  return (STAGES as readonly string[]).indexOf(stage);
}

export const BackupUnitSchema = v.object({
  keyspace: v.string(),
  tables: v.nullish(v.array(v.string()), []),
  all_tables: v.optional(v.boolean(), false),
});

/** `backup_run` value. */
export const BackupRunSchema = v.object({
  prev_id: v.optional(v.string(), ""),
  snapshot_tag: v.string(),
  units: v.nullish(v.array(BackupUnitSchema), []),
  dc: v.nullish(v.array(v.string()), []),
  /** Host IDs of the nodes backed up. */
  nodes: v.nullish(v.array(v.string()), []),
  location: v.nullish(v.array(v.string()), []),
  start_time: v.string(),
  stage: v.string(),
  retention_lock_mode: v.optional(v.string(), "disabled"),
  override_retention_lock: v.optional(v.boolean(), false),
  retention_days: v.optional(v.number(), 0),
});
export type BackupRun = v.InferOutput<typeof BackupRunSchema>;

/** `backup_run_progress` value, one per (host, unit, table). */
export const RunProgressSchema = v.object({
  host: v.string(),
  unit: v.number(),
  table_name: v.string(),
  agent_job_id: v.optional(v.number(), 0),
  scylla_task_id: v.optional(v.string(), ""),
  started_at: v.nullish(v.string(), null),
  completed_at: v.nullish(v.string(), null),
  error: v.optional(v.string(), ""),
  size: v.optional(v.number(), 0),
  uploaded: v.optional(v.number(), 0),
  skipped: v.optional(v.number(), 0),
  failed: v.optional(v.number(), 0),
  files_count: v.optional(v.number(), 0),
  files_skipped_count: v.optional(v.number(), 0),
});
export type RunProgress = v.InferOutput<typeof RunProgressSchema>;

export const RUN_KIND = "backup_run";
export const PROGRESS_KIND = "backup_run_progress";

/** Clustering key of a progress row. */
export function progressKey(row: Pick<RunProgress, "host" | "unit" | "table_name">): string {
  return `${row.host}/${row.unit}/${row.table_name}`;
}

/** Whether a row's upload finished without error. */
export function isUploaded(row: RunProgress): boolean {
  return row.completed_at !== null && row.error === "" && row.failed === 0;
}
