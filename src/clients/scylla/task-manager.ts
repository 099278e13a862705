/**
 * Scylla's task manager calls that follow a native backup or restore task (SM's `pkg/scyllaclient` ScyllaWaitTask,
 * ScyllaTaskProgress, ScyllaAbortTask, ScyllaListTasks), through the agents: `wait_task` (long poll, HTTP 408 while
 * still running), `task_status`, `abort_task` and `list_module_tasks`.
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

/** One entry of `list_module_tasks` (swagger `task_stats`): the fields the manager reads. */
const TaskStatsListSchema = v.array(
  v.looseObject({
    task_id: v.string(),
    type: v.optional(v.string(), ""),
    state: v.optional(v.string(), ""),
    keyspace: v.optional(v.string(), ""),
    table: v.optional(v.string(), ""),
  }),
);
export type ModuleTaskStats = v.InferOutput<typeof TaskStatsListSchema>[number];

/**
 * `GET /task_manager/list_module_tasks/{module}[?keyspace=]` on `host`: the module's user tasks running or finished
 * within the task TTL. Scylla answers 400 `module <name> not found` for a module it does not have.
 */
export function scyllaListModuleTasks(
  scylla: ScyllaClient,
  host: string,
  module: string,
  filter: { keyspace?: string } = {},
  call: CallOptions = {},
): Promise<ModuleTaskStats[]> {
  return scylla.requestJson(
    "GET",
    `/task_manager/list_module_tasks/${encodeURIComponent(module)}`,
    TaskStatsListSchema,
    {
      ...call,
      host,
      ...(filter.keyspace === undefined ? {} : { query: { keyspace: filter.keyspace } }),
    },
  );
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

/** A task time as ISO, or null when unset (Scylla answers the epoch for "not yet"). */
export function taskTime(text: string): string | null {
  const ms = Date.parse(text);
  return Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : null;
}
