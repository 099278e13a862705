/**
 * Scylla REST calls of the repair service (SM's `pkg/scyllaclient/client_scylla.go` repair part), through the
 * agents: vnode repair (`repair_async` + blocking `repair_status`), tablet repair (`tablets/repair` + task manager
 * `wait_task` with the `task_status` fallback on 408), table sizes, and the task-manager listing/abort used to
 * kill leftover repairs.
 * @module
 */
import * as v from "valibot";
import { ScyllaApiError } from "../../errors.ts";
import type { ScyllaClient } from "./client.ts";
import type { CallOptions } from "./http.ts";

const NumberSchema = v.number();
const StringSchema = v.string();

/** `task_manager` task status (the fields repair reads). */
const TaskStatusSchema = v.looseObject({
  id: v.string(),
  type: v.optional(v.string(), ""),
  state: v.string(),
  keyspace: v.optional(v.string(), ""),
  table: v.optional(v.string(), ""),
  error: v.optional(v.string(), ""),
});
export type TaskStatus = v.InferOutput<typeof TaskStatusSchema>;

const TaskStatsSchema = v.array(
  v.looseObject({
    task_id: v.string(),
    type: v.optional(v.string(), ""),
    state: v.string(),
    keyspace: v.optional(v.string(), ""),
  }),
);
export type TaskStats = v.InferOutput<typeof TaskStatsSchema>[number];

/** A token range `(start, end]` with int64 tokens as bigints. */
export interface RepairRange {
  start: bigint;
  end: bigint;
}

const MAX_TOKEN = 9223372036854775807n;
const MIN_TOKEN = -9223372036854775808n;

/** SM's `ranges` param: `start:end` pairs; a wrap-around range is split into `start:MAX,MIN:end`. */
export function formatRanges(ranges: readonly RepairRange[]): string {
  const out: string[] = [];
  for (const r of ranges) {
    if (r.start > r.end) out.push(`${r.start}:${MAX_TOKEN}`, `${MIN_TOKEN}:${r.end}`);
    else out.push(`${r.start}:${r.end}`);
  }
  return out.join(",");
}

/** Parameters of one vnode repair job. */
export interface RepairAsyncRequest {
  keyspace: string;
  /** `columnFamilies`: Scylla repairs each listed table of the keyspace, one after another per range. */
  tables: readonly string[];
  /** The coordinator (SM's master). */
  master: string;
  /** The filtered replica set; sent only with more than one node. */
  hosts: readonly string[];
  /** Empty ⇒ no `ranges` param (small-table jobs). */
  ranges: readonly RepairRange[];
  /** `ranges_parallelism` for normal jobs. */
  intensity: number;
  smallTable: boolean;
}

/** `POST /storage_service/repair_async/{ks}` forced to the master; resolves with the job id. */
export function repairAsync(client: ScyllaClient, req: RepairAsyncRequest, options: CallOptions = {}): Promise<number> {
  const query: Record<string, string> = { columnFamilies: req.tables.join(",") };
  if (req.ranges.length > 0) query.ranges = formatRanges(req.ranges);
  if (req.smallTable) query.small_table_optimization = "true";
  else query.ranges_parallelism = String(req.intensity);
  if (req.hosts.length > 1) query.hosts = req.hosts.join(",");
  return client.requestJson("POST", `/storage_service/repair_async/${encodeURIComponent(req.keyspace)}`, NumberSchema, {
    ...options,
    host: req.master,
    query,
  });
}

/**
 * `GET /storage_service/repair_status?id=` on the master: blocks until the job ends (no `timeout` param, as SM).
 * `timeoutMs` 0 = no client timeout (SM's default `status_timeout`). "unknown repair id" is not retried.
 */
export function repairStatus(
  client: ScyllaClient,
  host: string,
  id: number,
  options: CallOptions = {},
): Promise<string> {
  return client.requestJson("GET", "/storage_service/repair_status", StringSchema, {
    timeoutMs: 0,
    ...options,
    host,
    query: { id },
    shouldRetry: (error) => !error.message.includes("unknown repair id"),
  });
}

/** `GET /column_family/metrics/total_disk_space_used/{ks}:{table}` on one host (bytes). */
export function tableDiskSize(
  client: ScyllaClient,
  host: string,
  keyspace: string,
  table: string,
  options: CallOptions = {},
): Promise<number> {
  return client.requestJson(
    "GET",
    `/column_family/metrics/total_disk_space_used/${encodeURIComponent(`${keyspace}:${table}`)}`,
    NumberSchema,
    { ...options, host },
  );
}

/** `GET /task_manager/list_module_tasks/{module}` (on `host` when given). */
export function listModuleTasks(
  client: ScyllaClient,
  module: "repair" | "tablets",
  options: CallOptions = {},
): Promise<TaskStats[]> {
  return client.requestJson("GET", `/task_manager/list_module_tasks/${module}`, TaskStatsSchema, options);
}

/** `POST /task_manager/abort_task/{id}`. */
export async function abortTask(client: ScyllaClient, id: string, options: CallOptions = {}): Promise<void> {
  await client.request("POST", `/task_manager/abort_task/${encodeURIComponent(id)}`, options);
}

/** Parameters of a full-table tablet repair. */
export interface TabletRepairRequest {
  keyspace: string;
  table: string;
  /** Forced host (general repair) or undefined (the dedicated tablet task uses any host). */
  master?: string;
  /** Selected DCs (`dcs_filter`); undefined ⇒ omitted. */
  dcs?: readonly string[];
  /** Host IDs (`hosts_filter`); undefined ⇒ omitted. */
  hostIds?: readonly string[];
  incrementalMode?: string;
}

const TabletRepairAnswerSchema = v.looseObject({ tablet_task_id: v.string() });

/** `POST /storage_service/tablets/repair?ks&table&tokens=all&await_completion=false...`; resolves with the task id. */
export async function tabletRepair(
  client: ScyllaClient,
  req: TabletRepairRequest,
  options: CallOptions = {},
): Promise<string> {
  const query: Record<string, string> = {
    ks: req.keyspace,
    table: req.table,
    tokens: "all",
    await_completion: "false",
  };
  if (req.dcs !== undefined) query.dcs_filter = req.dcs.join(",");
  if (req.hostIds !== undefined) query.hosts_filter = req.hostIds.join(",");
  if (req.incrementalMode) query.incremental_mode = req.incrementalMode;
  const answer = await client.requestJson("POST", "/storage_service/tablets/repair", TabletRepairAnswerSchema, {
    ...options,
    ...(req.master === undefined ? {} : { host: req.master }),
    query,
    shouldRetry: (error) => !COLOCATED.test(error.message),
  });
  return answer.tablet_task_id;
}

/** Scylla's error for a colocated table (LWT/CDC companions, 2025.4+): `[base keyspace, base table]`. */
export const COLOCATED = /because it is colocated with the base table '([^']+)'\.'([^']+)'/;

/**
 * Waits for a task: `GET /task_manager/wait_task/{id}` (no timeout); on HTTP 408 falls back to polling
 * `GET /task_manager/task_status/{id}` until the task is done or failed.
 */
export async function waitTask(
  client: ScyllaClient,
  id: string,
  options: CallOptions & { pollMs?: number } = {},
): Promise<TaskStatus> {
  const path = (kind: string) => `/task_manager/${kind}/${encodeURIComponent(id)}`;
  try {
    return await client.requestJson("GET", path("wait_task"), TaskStatusSchema, { timeoutMs: 0, ...options });
  } catch (error) {
    if (!(error instanceof ScyllaApiError) || error.httpStatus !== 408) throw error;
  }
  for (;;) {
    const status = await client.requestJson("GET", path("task_status"), TaskStatusSchema, options);
    if (status.state === "done" || status.state === "failed") return status;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, options.pollMs ?? 1000);
      options.signal?.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          reject(options.signal?.reason);
        },
        { once: true },
      );
    });
  }
}
