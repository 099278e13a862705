/**
 * The shapes of the backup answers built in this folder (`targetToJson` in target.ts, `aggregateProgress` in
 * progress.ts, validate_backup's progress rows) as valibot schemas: the served `openapi.json` is generated from them,
 * and `describes<>` fails the build when a builder's type gains a key or changes a type the schema does not
 * describe. Names and types follow SM's API (`pkg/service/backup/model.go`, `progress.go`).
 * @module
 */
import * as v from "valibot";
import { describes } from "../util/describes.ts";
import type { BackupProgressJson, HostProgressJson, KeyspaceProgressJson, TableProgressJson } from "./progress.ts";
import { BackupUnitSchema } from "./read/api-schema.ts";
import type { ValidateHostProgress } from "./validate/model.ts";

const integer = () => v.pipe(v.number(), v.integer());
const bytes = () => v.pipe(integer(), v.description("bytes"));
const time = () => v.nullable(v.pipe(v.string(), v.description("RFC 3339 date-time; null while unset")));
const list = () => v.array(v.string());

/** SM's BackupTarget (GET /cluster/{cluster_id}/tasks/backup/target). */
export const BackupTargetJsonSchema = v.object({
  cluster_id: v.string(),
  dc: list(),
  location: list(),
  retention: integer(),
  retention_days: integer(),
  rate_limit: list(),
  snapshot_parallel: list(),
  upload_parallel: list(),
  units: v.array(BackupUnitSchema),
  size: v.optional(bytes()),
  transfers: integer(),
  purge_only: v.boolean(),
  skip_schema: v.boolean(),
  method: v.string(),
  retention_lock_mode: v.string(),
  override_retention_lock: v.boolean(),
  with_hosts: list(),
});
export type BackupTargetJson = v.InferOutput<typeof BackupTargetJsonSchema>;

const COUNTERS = {
  size: bytes(),
  uploaded: bytes(),
  skipped: bytes(),
  failed: bytes(),
  started_at: time(),
  completed_at: time(),
};

export const TableProgressSchema = describes<TableProgressJson>()(
  v.object({ table: v.string(), error: v.optional(v.string()), ...COUNTERS }),
);
export const KeyspaceProgressSchema = describes<KeyspaceProgressJson>()(
  v.object({ keyspace: v.string(), tables: v.array(TableProgressSchema), ...COUNTERS }),
);
export const HostProgressSchema = describes<HostProgressJson>()(
  v.object({ host: v.string(), keyspaces: v.array(KeyspaceProgressSchema), ...COUNTERS }),
);

/** SM's BackupProgress, plus `eta_seconds` (beyond SM). `hosts` is absent before the upload stage. */
export const BackupProgressSchema = describes<BackupProgressJson>()(
  v.object({
    snapshot_tag: v.string(),
    dcs: list(),
    stage: v.string(),
    retention_lock_mode: v.string(),
    override_retention_lock: v.boolean(),
    retention_days: integer(),
    hosts: v.optional(v.array(HostProgressSchema)),
    eta_seconds: v.optional(v.pipe(v.number(), v.description("extension: estimated seconds left"))),
    ...COUNTERS,
  }),
);

/** SM's ValidateBackupProgress: one entry per (dc, host, location). */
export const ValidateBackupProgressSchema = describes<ValidateHostProgress>()(
  v.object({
    dc: v.string(),
    host: v.string(),
    location: v.string(),
    manifests: integer(),
    scanned_files: integer(),
    broken_snapshots: list(),
    missing_files: integer(),
    orphaned_files: integer(),
    orphaned_bytes: bytes(),
    deleted_files: integer(),
    started_at: time(),
    completed_at: time(),
  }),
);
