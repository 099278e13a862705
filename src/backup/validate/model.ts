/**
 * `validate_backup` task properties and progress rows (SM's `validate_backup_run_progress`, one row per
 * (dc, host, location)).
 * @module
 */
import * as v from "valibot";

/** Task properties: `location[]`, `delete_orphaned_files`, `parallel` (accepted, unused, as SM). */
export const ValidatePropertiesSchema = v.object({
  location: v.optional(v.array(v.string()), []),
  delete_orphaned_files: v.optional(v.boolean(), false),
  parallel: v.optional(v.number(), 0),
});
export type ValidateProperties = v.InferOutput<typeof ValidatePropertiesSchema>;

/** The store kind of progress rows. */
export const VALIDATE_PROGRESS_KIND = "validate_backup_run_progress";

/** SM's `ValidateBackupProgress` JSON. */
export interface ValidateHostProgress {
  dc: string;
  host: string;
  location: string;
  manifests: number;
  scanned_files: number;
  broken_snapshots: string[];
  missing_files: number;
  orphaned_files: number;
  orphaned_bytes: number;
  deleted_files: number;
  started_at: string | null;
  completed_at: string | null;
}

export const ValidateHostProgressSchema = v.object({
  dc: v.string(),
  host: v.string(),
  location: v.string(),
  manifests: v.number(),
  scanned_files: v.number(),
  broken_snapshots: v.array(v.string()),
  missing_files: v.number(),
  orphaned_files: v.number(),
  orphaned_bytes: v.number(),
  deleted_files: v.number(),
  started_at: v.nullable(v.string()),
  completed_at: v.nullable(v.string()),
});

/** Row key: SM's clustering key (dc, host, location). */
export function progressKey(p: Pick<ValidateHostProgress, "dc" | "host" | "location">): string {
  return `${p.dc}/${p.host}/${p.location}`;
}
