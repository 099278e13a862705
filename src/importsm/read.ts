/**
 * Reads Scylla Manager 3.x's keyspace (SM's `schema/*.cql`, final shape in SM's `pkg/schema/table/table.go`) into
 * our record types. Tables are read with `SELECT *` and columns picked by name, so keyspaces from any 3.x version
 * (columns added or dropped between releases) read the same way; a missing column takes its zero value.
 * @module
 */
import cassandra from "cassandra-driver";
import type { ClusterRecord, ProgressRow, RunRecord, ScheduleRecord, TaskRecord, TaskStatus } from "../store/store.ts";

/** What the readers need of a driver row (cassandra-driver's Row has it). */
export interface RowLike {
  keys(): string[];
  get(column: string): unknown;
}
type Row = RowLike;

/** SM's per-service run tables (kind = table name) and their progress/state tables. */
export const SM_SERVICE_RUN_TABLES = ["repair_run", "backup_run", "restore_run"] as const;
export const SM_PROGRESS_TABLES = [
  "repair_run_progress",
  "repair_run_state",
  "tablet_repair_run_progress",
  "backup_run_progress",
  "validate_backup_run_progress",
  "restore_run_progress",
  "one2onerestore_run_table_progress",
  "one2onerestore_run_view_progress",
] as const;

/** A CQL value as JSON: uuids as text, timestamps as ISO, bigints as numbers, UDTs as objects, blobs as base64. */
export function toJsonValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof cassandra.types.Uuid) return value.toString();
  if (value instanceof cassandra.types.InetAddress) return value.toString();
  if (cassandra.types.Long.isLong(value)) return (value as cassandra.types.Long).toNumber();
  if (value instanceof cassandra.types.Integer || value instanceof cassandra.types.BigDecimal) return value.toString();
  if (Buffer.isBuffer(value)) return value.toString("base64");
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value instanceof Map)
    return Object.fromEntries([...value.entries()].map(([k, v]) => [String(k), toJsonValue(v)]));
  if (value instanceof Set) return [...value].map(toJsonValue);
  if (typeof value === "object") {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toJsonValue(v)]));
  }
  return value;
}

const text = (row: Row, column: string): string => {
  const v = has(row, column) ? row.get(column) : null;
  return v === null || v === undefined ? "" : String(toJsonValue(v));
};
const has = (row: Row, column: string) => row.keys().includes(column);
const get = (row: Row, column: string): unknown => (has(row, column) ? row.get(column) : null);
const num = (row: Row, column: string): number => Number(toJsonValue(get(row, column)) ?? 0) || 0;
/** SM writes Go's zero time (0001-01-01) for unset timestamps. */
const isoOrNull = (value: unknown): string | null => {
  if (!(value instanceof Date) || value.getUTCFullYear() <= 1) return null;
  return value.toISOString();
};
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.map((v) => String(toJsonValue(v))) : value instanceof Set ? [...value].map(String) : [];
const labels = (value: unknown): Record<string, string> => {
  if (!value || typeof value !== "object") return {};
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value as Record<string, unknown>);
  return Object.fromEntries(entries.map(([k, v]) => [String(k), String(v)]));
};

export function clusterFromSm(row: Row): ClusterRecord {
  return {
    id: text(row, "id"),
    name: text(row, "name"),
    labels: labels(get(row, "labels")),
    host: text(row, "host"),
    knownHosts: strings(get(row, "known_hosts")).sort(),
    port: num(row, "port"),
    authToken: text(row, "auth_token"),
    forceTlsDisabled: get(row, "force_tls_disabled") === true,
    forceNonSslSessionPort: get(row, "force_non_ssl_session_port") === true,
  };
}

/** SM's `schedule` UDT; its `cron` is JSON text `{"spec": "...", "start_date": "..."}` (or a bare spec). */
export function scheduleFromSm(sched: unknown): ScheduleRecord {
  const s = (sched ?? {}) as Record<string, unknown>;
  let cron = typeof s.cron === "string" ? s.cron : "";
  // The cron's own start date (Go's zero time when unset), kept apart from start_date as SM keeps it.
  let cronStartDate: string | null = null;
  if (cron.trim().startsWith("{")) {
    try {
      const parsed = JSON.parse(cron) as { spec?: unknown; start_date?: unknown };
      cron = String(parsed.spec ?? "");
      if (typeof parsed.start_date === "string") cronStartDate = isoOrNull(new Date(parsed.start_date));
    } catch {
      // keep the text as it is
    }
  }
  const retryWait = s.retry_wait === null || s.retry_wait === undefined ? 0 : Number(toJsonValue(s.retry_wait));
  return {
    cron,
    startDate: isoOrNull(s.start_date),
    cronStartDate,
    intervalSeconds: Number(s.interval_seconds ?? 0) || 0,
    numRetries: Number(s.num_retries ?? 0) || 0,
    retryWaitSeconds: retryWait,
    window: strings(s.window),
    timezone: typeof s.timezone === "string" ? s.timezone : "",
  };
}

const STATUSES: readonly TaskStatus[] = [
  "NEW",
  "RUNNING",
  "STOPPING",
  "STOPPED",
  "WAITING",
  "DONE",
  "ERROR",
  "ABORTED",
];
const status = (value: string): TaskStatus =>
  (STATUSES as readonly string[]).includes(value) ? (value as TaskStatus) : "NEW";

/** Task properties: SM keeps them as a JSON blob. */
function properties(value: unknown): unknown {
  if (Buffer.isBuffer(value)) {
    const textValue = value.toString("utf8").trim();
    if (textValue === "") return {};
    try {
      return JSON.parse(textValue) as unknown;
    } catch {
      return {};
    }
  }
  return value ?? {};
}

export function taskFromSm(row: Row): TaskRecord {
  return {
    clusterId: text(row, "cluster_id"),
    type: text(row, "type"),
    id: text(row, "id"),
    name: text(row, "name"),
    labels: labels(get(row, "labels")),
    enabled: get(row, "enabled") === true,
    deleted: get(row, "deleted") === true,
    schedule: scheduleFromSm(get(row, "sched")),
    properties: properties(get(row, "properties")),
    status: status(text(row, "status")),
    successCount: num(row, "success_count"),
    errorCount: num(row, "error_count"),
    lastSuccess: isoOrNull(get(row, "last_success")),
    lastError: isoOrNull(get(row, "last_error")),
  };
}

export function runFromSm(row: Row): RunRecord {
  return {
    clusterId: text(row, "cluster_id"),
    type: text(row, "type"),
    taskId: text(row, "task_id"),
    id: text(row, "id"),
    status: status(text(row, "status")),
    cause: text(row, "cause"),
    owner: text(row, "owner"),
    startTime: isoOrNull(get(row, "start_time")),
    endTime: isoOrNull(get(row, "end_time")),
  };
}

/**
 * A row as a JSON object of its columns (SM's snake_case names, as our services keep them), leaving out `omit` and
 * unset (null) columns, so the reader's defaults apply.
 */
export function rowObject(row: Row, omit: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of row.keys()) {
    const value = toJsonValue(row.get(key));
    if (!omit.includes(key) && value !== null) out[key] = value;
  }
  return out;
}

/**
 * A progress row: key = the clustering columns joined with "/" (e.g. backup's "host/unit/table_name"), value = the
 * row's columns but the run's partition key.
 */
export function progressFromSm(row: Row, clustering: readonly string[]): ProgressRow {
  return {
    key: clustering.map((c) => String(toJsonValue(row.get(c)) ?? "")).join("/"),
    value: rowObject(row, ["cluster_id", "task_id", "run_id"]),
  };
}

/** Decodes SM's secret values: JSON, with Go []byte fields (tls_identity's cert/key) as base64 of PEM. */
export function secretFromSm(key: string, value: Buffer): Uint8Array {
  if (key !== "tls_identity") return new Uint8Array(value);
  try {
    const parsed = JSON.parse(value.toString("utf8")) as Record<string, unknown>;
    const pem = (v: unknown) => {
      if (typeof v !== "string") return v;
      const decoded = Buffer.from(v, "base64").toString("utf8");
      return decoded.includes("-----BEGIN") ? decoded : v;
    };
    return new TextEncoder().encode(JSON.stringify({ cert: pem(parsed.cert), private_key: pem(parsed.private_key) }));
  } catch {
    return new Uint8Array(value);
  }
}
