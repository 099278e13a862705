/**
 * Backup task properties (SM's `taskProperties`, `pkg/service/backup/model.go`): the JSON schema, SM's defaults and
 * the checks that need no cluster (location syntax, retention, transfers, `[dc:]N` limits, lock modes).
 * @module
 */
import * as v from "valibot";
import { ValidationError } from "../errors.ts";
import { type Location, parseLocation } from "./layout/index.ts";

/** How SSTables are uploaded. */
export const METHODS = ["rclone", "native", "auto"] as const;
export type BackupMethod = (typeof METHODS)[number];
export const RETENTION_LOCK_MODES = ["disabled", "unlocked", "locked", "event-based-hold"] as const;

const RetentionPolicySchema = v.object({
  retention: v.optional(v.number(), 0),
  retention_days: v.optional(v.number(), 0),
});

/** The properties as stored with the task. */
export const BackupPropertiesSchema = v.object({
  keyspace: v.optional(v.nullable(v.array(v.string())), []),
  dc: v.optional(v.nullable(v.array(v.string())), []),
  location: v.optional(v.nullable(v.array(v.string())), []),
  retention: v.optional(v.nullable(v.number())),
  retention_days: v.optional(v.nullable(v.number())),
  retention_map: v.optional(v.nullable(v.record(v.string(), RetentionPolicySchema))),
  rate_limit: v.optional(v.nullable(v.array(v.string())), []),
  transfers: v.optional(v.number(), -1),
  snapshot_parallel: v.optional(v.nullable(v.array(v.string())), []),
  upload_parallel: v.optional(v.nullable(v.array(v.string())), []),
  continue: v.optional(v.boolean(), true),
  purge_only: v.optional(v.boolean(), false),
  skip_schema: v.optional(v.boolean(), false),
  method: v.optional(v.string(), "rclone"),
  retention_lock_mode: v.optional(v.string(), "disabled"),
  override_retention_lock: v.optional(v.boolean(), false),
});
export type BackupPropertiesInput = v.InferInput<typeof BackupPropertiesSchema>;

/** `[dc:]N` (rate limit, parallel limits). */
export interface DcLimit {
  dc: string;
  limit: number;
}

const DC_LIMIT_RE = /^(([a-zA-Z0-9\-_.]+):)?([0-9]+)$/;

/** Parses `[dc:]N` as SM's `DCLimit.UnmarshalText`. */
export function parseDcLimit(text: string, flag: string): DcLimit {
  const m = DC_LIMIT_RE.exec(text.trim());
  if (!m) throw new ValidationError(`invalid ${flag} "${text}", the format is [dc:]<limit> e.g. dc1:10 or 10`);
  return { dc: m[2] ?? "", limit: Number(m[3]) };
}

export function dcLimitString(limit: DcLimit): string {
  return limit.dc ? `${limit.dc}:${limit.limit}` : String(limit.limit);
}

/** Retention of one task: keep `retention` newest tags and/or tags younger than `retentionDays`. */
export interface RetentionPolicy {
  retention: number;
  retentionDays: number;
}

/** Normalised properties. */
export interface BackupProperties {
  keyspace: string[];
  dc: string[];
  location: Location[];
  retention: RetentionPolicy;
  /** Every backup task of the cluster (incl. deleted ones), injected by the service. */
  retentionMap: Map<string, RetentionPolicy>;
  rateLimit: DcLimit[];
  transfers: number;
  snapshotParallel: DcLimit[];
  uploadParallel: DcLimit[];
  continue: boolean;
  purgeOnly: boolean;
  skipSchema: boolean;
  method: BackupMethod;
  retentionLockMode: string;
  overrideRetentionLock: boolean;
}

/** SM's default upload rate, MiB/s per node. */
export const DEFAULT_RATE_LIMIT = 100;
/** SM's effective default count retention (sctool's help says 7; the server applies 3 when neither is sent). */
export const DEFAULT_RETENTION = 3;

/** Parses and checks properties (no cluster needed); throws ValidationError naming the bad field. */
export function parseBackupProperties(input: unknown): BackupProperties {
  const parsed = v.safeParse(BackupPropertiesSchema, input ?? {});
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const where = issue?.path?.map((item) => String(item.key)).join(".") ?? "";
    throw new ValidationError(`invalid backup properties${where ? ` at ${where}` : ""}: ${issue?.message}`);
  }
  const p = parsed.output;
  const locations = (p.location ?? []).map(parseLocation);
  if (locations.length === 0) {
    throw new ValidationError("missing location", { hint: "set --location [dc:]<provider>:<bucket>" });
  }
  const seen = new Set<string>();
  for (const loc of locations) {
    if (seen.has(loc.dc)) {
      throw new ValidationError(`duplicated location for ${loc.dc ? `datacenter ${loc.dc}` : "all datacenters"}`);
    }
    seen.add(loc.dc);
  }
  const noRetention = (p.retention === undefined || p.retention === null) && (p.retention_days ?? null) === null;
  const retention: RetentionPolicy = noRetention
    ? { retention: DEFAULT_RETENTION, retentionDays: 0 }
    : { retention: p.retention ?? 0, retentionDays: p.retention_days ?? 0 };
  if (retention.retention < 0) throw new ValidationError(`invalid retention ${retention.retention}: must be >= 0`);
  if (retention.retentionDays < 0) {
    throw new ValidationError(`invalid retention_days ${retention.retentionDays}: must be >= 0`);
  }
  if (!Number.isInteger(p.transfers) || (p.transfers !== -1 && p.transfers < 1)) {
    throw new ValidationError(`invalid transfers ${p.transfers}: must be -1 (the agent's setting) or >= 1`);
  }
  if (!(METHODS as readonly string[]).includes(p.method)) {
    throw new ValidationError(`invalid method "${p.method}"`, { hint: `use one of ${METHODS.join(", ")}` });
  }
  if (!(RETENTION_LOCK_MODES as readonly string[]).includes(p.retention_lock_mode)) {
    throw new ValidationError(`invalid retention_lock_mode "${p.retention_lock_mode}"`, {
      hint: `use one of ${RETENTION_LOCK_MODES.join(", ")}`,
    });
  }
  checkRetentionLock(p.retention_lock_mode, p.override_retention_lock, retention, locations);
  const rateLimit = (p.rate_limit ?? []).map((text) => parseDcLimit(text, "rate limit"));
  const retentionMap = new Map<string, RetentionPolicy>();
  for (const [task, policy] of Object.entries(p.retention_map ?? {})) {
    retentionMap.set(task, { retention: policy.retention, retentionDays: policy.retention_days });
  }
  return {
    keyspace: p.keyspace ?? [],
    dc: p.dc ?? [],
    location: locations,
    retention,
    retentionMap,
    rateLimit: rateLimit.length === 0 ? [{ dc: "", limit: DEFAULT_RATE_LIMIT }] : rateLimit,
    transfers: p.transfers,
    snapshotParallel: (p.snapshot_parallel ?? []).map((text) => parseDcLimit(text, "snapshot parallel")),
    uploadParallel: (p.upload_parallel ?? []).map((text) => parseDcLimit(text, "upload parallel")),
    continue: p.continue,
    purgeOnly: p.purge_only,
    skipSchema: p.skip_schema,
    method: p.method as BackupMethod,
    retentionLockMode: p.retention_lock_mode,
    overrideRetentionLock: p.override_retention_lock,
  };
}

/**
 * SM's lock-mode rules: object locks exist on GCS only; `unlocked`/`locked` lock each snapshot for
 * `retention_days` after its tag, which a count retention cannot express; `override_retention_lock` only makes sense
 * for those two modes (it lets a run shorten earlier `unlocked` locks).
 */
function checkRetentionLock(
  mode: string,
  override: boolean,
  retention: RetentionPolicy,
  locations: readonly Location[],
): void {
  if (mode === "disabled" || mode === "event-based-hold") {
    if (override) throw new ValidationError(`override_retention_lock can't be used with retention_lock_mode ${mode}`);
    if (mode === "disabled") return;
  }
  const other = locations.find((loc) => loc.provider !== "gcs");
  if (other !== undefined) {
    throw new ValidationError(
      `retention_lock_mode "${mode}" is supported only for gcs locations, not ${other.provider}`,
    );
  }
  if (mode === "event-based-hold") {
    throw new ValidationError('retention_lock_mode "event-based-hold" is not supported by this manager yet', {
      hint: 'use retention_lock_mode "unlocked" or "locked" with retention_days',
    });
  }
  if (retention.retentionDays <= 0) {
    throw new ValidationError(`retention_lock_mode "${mode}" requires retention_days > 0`, {
      hint: "set --retention-days N (the lock keeps each snapshot for N days after it was taken)",
    });
  }
  if (retention.retention > 0) {
    throw new ValidationError(
      `retention_lock_mode "${mode}" can't be used with count retention (retention ${retention.retention})`,
      {
        hint: "set --retention 0 and use --retention-days",
      },
    );
  }
}

/**
 * SM's retention map entry of a task: live tasks keep their policy; a deleted task with count retention becomes
 * time-based (max(its days, 30)) so its backups still age out.
 */
export function retentionOfTask(properties: unknown, deleted: boolean): RetentionPolicy {
  const parsed = v.safeParse(BackupPropertiesSchema, properties ?? {});
  const p = parsed.success ? parsed.output : undefined;
  const none = (p?.retention ?? null) === null && (p?.retention_days ?? null) === null;
  const policy: RetentionPolicy = none
    ? { retention: DEFAULT_RETENTION, retentionDays: 0 }
    : { retention: p?.retention ?? 0, retentionDays: p?.retention_days ?? 0 };
  if (deleted && policy.retention > 0) return { retention: 0, retentionDays: Math.max(policy.retentionDays, 30) };
  return policy;
}

/** Limit of `dc` in a `[dc:]N` list: the DC's own entry, else the global one, else undefined (unlimited). */
export function limitFor(limits: readonly DcLimit[], dc: string): number | undefined {
  return (limits.find((limit) => limit.dc === dc) ?? limits.find((limit) => limit.dc === ""))?.limit;
}
