/**
 * Scylla REST calls of the native restore (SM's `pkg/scyllaclient/client_scylla.go` ScyllaRestore and task
 * manager part), through the agents: `POST /storage_service/restore` starts a task that downloads the SSTables of
 * the given TOCs straight from object storage and loads them; the task manager's `wait_task` (long poll, 408 while
 * running), `task_status` and `abort_task` follow it; `user_ttl` keeps finished tasks queryable for a while.
 * @module
 */
import * as v from "valibot";
import { ScyllaApiError } from "../../errors.ts";
import type { ScyllaClient } from "./client.ts";
import type { CallOptions } from "./http.ts";

/** A native task's status: the fields restore reads. Times are ISO strings (epoch or empty while unset). */
const NativeTaskStatusSchema = v.looseObject({
  id: v.string(),
  state: v.string(),
  error: v.optional(v.string(), ""),
  start_time: v.optional(v.string(), ""),
  end_time: v.optional(v.string(), ""),
  progress_total: v.optional(v.number(), 0),
  progress_completed: v.optional(v.number(), 0),
});
export type NativeTaskStatus = v.InferOutput<typeof NativeTaskStatusSchema>;

/** What one native restore call restores. */
export interface ScyllaRestoreRequest {
  /** The name of the node's `object_storage_endpoints` entry. */
  endpoint: string;
  bucket: string;
  /** The SSTable dir inside the bucket, without a leading slash. */
  prefix: string;
  keyspace: string;
  table: string;
  /** TOC object names, relative to `prefix`. */
  tocs: readonly string[];
}

/**
 * `POST /storage_service/restore?endpoint=&bucket=&prefix=&keyspace=&table=&scope=all&primary_replica_only=true`
 * with the TOC names as JSON body: the task id. Scope `all` and primary replica only, as SM restores.
 */
export async function scyllaRestore(
  scylla: ScyllaClient,
  host: string,
  req: ScyllaRestoreRequest,
  call: CallOptions = {},
): Promise<string> {
  return scylla.requestJson("POST", "/storage_service/restore", v.string(), {
    ...call,
    host,
    noRetry: true,
    query: {
      endpoint: req.endpoint,
      bucket: req.bucket,
      prefix: req.prefix,
      keyspace: req.keyspace,
      table: req.table,
      scope: "all",
      primary_replica_only: "true",
    },
    body: req.tocs,
  });
}

/** `GET /task_manager/task_status/{id}` on `host`. */
export function scyllaTaskStatus(
  scylla: ScyllaClient,
  host: string,
  id: string,
  call: CallOptions = {},
): Promise<NativeTaskStatus> {
  return scylla.requestJson("GET", `/task_manager/task_status/${encodeURIComponent(id)}`, NativeTaskStatusSchema, {
    ...call,
    host,
  });
}

/**
 * `GET /task_manager/wait_task/{id}?timeout=N` on `host`: the status once the task ended, or (HTTP 408, still
 * running after N seconds) its current status from `task_status`.
 */
export async function scyllaWaitTask(
  scylla: ScyllaClient,
  host: string,
  id: string,
  timeoutSeconds: number,
  call: CallOptions = {},
): Promise<NativeTaskStatus> {
  try {
    return await scylla.requestJson(
      "GET",
      `/task_manager/wait_task/${encodeURIComponent(id)}`,
      NativeTaskStatusSchema,
      { ...call, host, query: { timeout: timeoutSeconds }, timeoutMs: (timeoutSeconds + 30) * 1000 },
    );
  } catch (error) {
    if (!(error instanceof ScyllaApiError) || error.httpStatus !== 408) throw error;
  }
  return scyllaTaskStatus(scylla, host, id, call);
}

/** `POST /task_manager/abort_task/{id}` on `host`. */
export async function scyllaAbortTask(
  scylla: ScyllaClient,
  host: string,
  id: string,
  call: CallOptions = {},
): Promise<void> {
  await scylla.request("POST", `/task_manager/abort_task/${encodeURIComponent(id)}`, { ...call, host });
}

/** `GET /task_manager/user_ttl` on `host` (seconds finished user tasks stay queryable). */
export function scyllaUserTtl(scylla: ScyllaClient, host: string, call: CallOptions = {}): Promise<number> {
  return scylla.requestJson("GET", "/task_manager/user_ttl", v.number(), { ...call, host });
}

/** `POST /task_manager/user_ttl?user_ttl=N` on `host`. */
export async function setScyllaUserTtl(
  scylla: ScyllaClient,
  host: string,
  seconds: number,
  call: CallOptions = {},
): Promise<void> {
  await scylla.request("POST", "/task_manager/user_ttl", { ...call, host, query: { user_ttl: seconds } });
}

/** A task time as ISO, or null when unset (Scylla answers the epoch for "not yet"). */
export function taskTime(text: string): string | null {
  const ms = Date.parse(text);
  return Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : null;
}
