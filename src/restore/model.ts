/**
 * Restore task properties (SM's `pkg/service/restore/model.go` Target), their defaults and SM's validation, and the
 * persisted shapes: `restore_run` (run state incl. the pre-restore cache) and `restore_run_progress` (one row per
 * batch).
 * @module
 */
import * as v from "valibot";
import { formatLocation, type Location, locationRemotePath, parseLocation } from "../backup/layout/location.ts";
import { snapshotTagTime } from "../backup/layout/tags.ts";
import { ValidationError } from "../errors.ts";
import type { RestoreStage } from "./stage.ts";

/**
 * Which API restores the data: `rclone` (agent download + load&stream), `native` (Scylla's restore API for every
 * batch; the run fails before any data moves where a host or an SSTable cannot use it) or `auto` (native where the
 * host and the SSTables allow it, rclone elsewhere).
 */
export const RESTORE_METHODS = ["rclone", "auto", "native"] as const;
export type RestoreMethod = (typeof RESTORE_METHODS)[number];

/** Task properties as stored and sent by sctool (SM's JSON names). */
export const RestorePropertiesSchema = v.object({
  location: v.optional(v.nullable(v.array(v.string())), null),
  keyspace: v.optional(v.nullable(v.array(v.string())), null),
  snapshot_tag: v.optional(v.string(), ""),
  batch_size: v.optional(v.number(), 2),
  parallel: v.optional(v.number(), 0),
  transfers: v.optional(v.number(), 0),
  rate_limit: v.optional(v.nullable(v.array(v.string())), null),
  allow_compaction: v.optional(v.boolean(), false),
  unpin_agent_cpu: v.optional(v.boolean(), false),
  restore_schema: v.optional(v.boolean(), false),
  restore_tables: v.optional(v.boolean(), false),
  continue: v.optional(v.boolean(), true),
  dc_mapping: v.optional(v.nullable(v.record(v.string(), v.string())), null),
  method: v.optional(v.string(), "rclone"),
});
export type RestoreProperties = v.InferOutput<typeof RestorePropertiesSchema>;

/** One `[dc:]limit` of `rate_limit` (MiB/s, 0 = unlimited). */
export interface DcLimit {
  dc: string;
  limit: number;
}

/** Validated properties with parsed locations and limits. */
export interface RestoreTarget {
  locations: Location[];
  /** Keyspace patterns as given (undefined when not given). */
  keyspace: string[] | undefined;
  snapshotTag: string;
  batchSize: number;
  parallel: number;
  transfers: number;
  rateLimit: DcLimit[];
  allowCompaction: boolean;
  unpinAgentCpu: boolean;
  restoreSchema: boolean;
  restoreTables: boolean;
  continue: boolean;
  dcMapping: Record<string, string>;
  method: RestoreMethod;
}

const DC_LIMIT = /^(([a-zA-Z0-9\-_.]+):)?([0-9]+)$/;

/** Parses `[dc:]N` (SM's DCLimit text form). */
export function parseDcLimit(text: string): DcLimit {
  const m = DC_LIMIT.exec(text);
  if (!m) throw new ValidationError(`invalid rate limit ${JSON.stringify(text)}, the format is [dc:]<limit>`);
  return { dc: m[2] ?? "", limit: Number(m[3]) };
}

/** The limit for a host of `dc`: its DC's entry, else the DC-less one, else 0 (unlimited). */
export function rateLimitFor(limits: readonly DcLimit[], dc: string): number {
  return (limits.find((l) => l.dc === dc) ?? limits.find((l) => l.dc === ""))?.limit ?? 0;
}

/** Parses task properties onto SM's defaults and validates them with SM's messages (all ValidationError). */
export function parseRestoreProperties(value: unknown): RestoreTarget {
  const parsed = v.safeParse(RestorePropertiesSchema, value ?? {});
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const key = issue?.path?.map((p) => String(p.key)).join(".") ?? "";
    throw new ValidationError(`invalid restore properties: ${key ? `${key}: ` : ""}${issue?.message ?? ""}`);
  }
  const p = parsed.output;
  if (!p.location || p.location.length === 0) throw new ValidationError("missing location");
  const locations = p.location.map(parseLocation);
  snapshotTagTime(p.snapshot_tag);
  if (p.batch_size < 0) throw new ValidationError("batch size param has to be greater or equal to zero");
  if (p.parallel < 0) throw new ValidationError("parallel param has to be greater or equal to zero");
  if (p.transfers !== -1 && p.transfers !== 0 && p.transfers < 1) {
    throw new ValidationError(
      "transfers param has to be equal to -1 (set transfers to the value from scylla-manager-agent.yaml config) or 0 (set transfers for fastest download) or greater than zero",
    );
  }
  if (p.restore_schema === p.restore_tables) {
    throw new ValidationError("choose EXACTLY ONE restore type ('--restore-schema' or '--restore-tables' flag)");
  }
  if (p.restore_schema && p.keyspace !== null) {
    throw new ValidationError(
      "restore schema always restores 'system_schema.*' tables only, no need to specify '--keyspace' flag",
    );
  }
  if (p.restore_schema && p.method !== "rclone") {
    throw new ValidationError("restore schema does not support '--method' flag");
  }
  const seen = new Set<string>();
  for (const location of locations) {
    const path = locationRemotePath(location);
    if (seen.has(path)) throw new ValidationError(`location ${formatLocation(location)} is specified multiple times`);
    seen.add(path);
  }
  if (!(RESTORE_METHODS as readonly string[]).includes(p.method)) {
    throw new ValidationError(`unknown method: ${p.method}`);
  }
  return {
    locations,
    keyspace: p.keyspace ?? undefined,
    snapshotTag: p.snapshot_tag,
    batchSize: p.batch_size,
    parallel: p.parallel,
    transfers: p.transfers,
    rateLimit: (p.rate_limit ?? []).map(parseDcLimit),
    allowCompaction: p.allow_compaction,
    unpinAgentCpu: p.unpin_agent_cpu,
    restoreSchema: p.restore_schema,
    restoreTables: p.restore_tables,
    continue: p.continue,
    dcMapping: p.dc_mapping ?? {},
    method: p.method as RestoreMethod,
  };
}

/** A restored table in the run's cache: size from the manifests, original tombstone_gc mode. */
export interface RestoreTableUnit {
  table: string;
  tombstone_gc: string;
  size: number;
}

/** A restored keyspace (SM's `Unit`). */
export interface RestoreUnit {
  keyspace: string;
  size: number;
  tables: RestoreTableUnit[];
}

/** A view of a restored table, dropped before DATA and recreated after (SM's `View`). */
export interface RestoreView {
  keyspace: string;
  view: string;
  type: "MaterializedView" | "SecondaryIndex";
  base_table: string;
  create_stmt: string;
  status?: string;
}

/** `restore_run` value. */
export interface RestoreRunState {
  id: string;
  prev_id: string;
  snapshot_tag: string;
  stage: RestoreStage;
  repair_task_id: string;
  units: RestoreUnit[];
  views: RestoreView[];
}

/** `restore_run_progress` value: one batch on one host. */
export interface RestoreProgressRow {
  remote_sstable_dir: string;
  keyspace_name: string;
  table_name: string;
  host: string;
  shard_cnt: number;
  agent_job_id: number;
  /** The Scylla task of a native batch ("" for rclone batches; absent in rows stored before native restore). */
  scylla_task_id?: string;
  sstable_id: string[];
  /** The batch's bytes (not in SM's row: lets a resumed run complete a batch whose outcome the killed one lost). */
  size?: number;
  download_started_at: string | null;
  download_completed_at: string | null;
  restore_started_at: string | null;
  restore_completed_at: string | null;
  downloaded: number;
  versioned_downloaded: number;
  restored: number;
  failed: number;
  error: string;
}

/** Store kinds (SM's table names). */
export const RESTORE_RUN_KIND = "restore_run";
export const RESTORE_PROGRESS_KIND = "restore_run_progress";

/** The progress row key: SM's clustering key order. */
export function progressRowKey(
  row: Pick<RestoreProgressRow, "remote_sstable_dir" | "host" | "agent_job_id" | "sstable_id">,
): string {
  return `${row.remote_sstable_dir}|${row.host}|${row.agent_job_id}|${row.sstable_id[0] ?? ""}`;
}
