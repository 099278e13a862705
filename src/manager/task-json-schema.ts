/**
 * The shapes of the task answers built in `task-json.ts` (Task, TaskListItem, TaskRun, Schedule), as valibot
 * schemas: the served `openapi.json` is generated from them and the builders' return types are derived from them, so
 * the document and the answers cannot drift. Field names and types follow SM's API (`pkg/restapi/task.go`,
 * `pkg/service/scheduler/model.go`), including what SM's server really sends beyond its own swagger: the legacy
 * untagged `Tags` key (always null), `owner` of a run, `status`/counters on a Task, `null` for an empty map or
 * slice (Go's nil).
 * @module
 */
import * as v from "valibot";

const time = () => v.pipe(v.string(), v.description("RFC 3339 date-time"));
const nullableTime = () => v.nullable(time());
const count = () => v.pipe(v.number(), v.integer());

/** SM's Schedule as answered. */
export const ScheduleJsonSchema = v.object({
  cron: v.pipe(v.string(), v.description('JSON text {"spec": <cron spec>, "start_date": <date-time>}, as SM sends it')),
  window: v.nullable(v.array(v.string())),
  timezone: v.string(),
  start_date: time(),
  interval: v.pipe(v.string(), v.description("Go duration, e.g. 7d or 0s")),
  num_retries: count(),
  retry_wait: v.string(),
});

const TASK_KEY_ENTRIES = { cluster_id: v.string(), type: v.string(), id: v.string(), name: v.string() };

const TASK_ENTRIES = {
  ...TASK_KEY_ENTRIES,
  labels: v.nullable(v.record(v.string(), v.string())),
  enabled: v.optional(v.pipe(v.boolean(), v.description("omitted when false, as SM does"))),
  deleted: v.optional(v.boolean()),
  schedule: ScheduleJsonSchema,
  properties: v.record(v.string(), v.unknown()),
  Tags: v.pipe(v.null(), v.description("legacy key SM's server still sends")),
  status: v.string(),
  success_count: count(),
  error_count: count(),
  last_success: nullableTime(),
  last_error: nullableTime(),
};

/** SM's Task (GET/PUT /cluster/{cluster_id}/task/{task_type}/{task_id}). */
export const TaskJsonSchema = v.object(TASK_ENTRIES);
export type TaskJson = v.InferOutput<typeof TaskJsonSchema>;

/**
 * SM's TaskListItem (GET /cluster/{cluster_id}/tasks): a Task plus its schedule state. With `short=true` only the four
 * identifying keys are sent, so everything else is optional here.
 */
export const TaskListItemJsonSchema = v.object({
  ...v.partial(v.object({ ...TASK_ENTRIES, suspended: v.boolean(), next_activation: nullableTime(), retry: count() }))
    .entries,
  ...TASK_KEY_ENTRIES,
});
export type TaskListItemJson = v.InferOutput<typeof TaskListItemJsonSchema>;

/** SM's TaskRun (`cause` and `end_time` omitted when empty). */
export const TaskRunJsonSchema = v.object({
  cluster_id: v.string(),
  type: v.string(),
  task_id: v.string(),
  id: v.string(),
  status: v.string(),
  cause: v.optional(v.string()),
  owner: v.string(),
  start_time: time(),
  end_time: v.optional(time()),
});
export type TaskRunJson = v.InferOutput<typeof TaskRunJsonSchema>;

/** `{run, progress}` of GET .../{run_id}: `progress` is null before the run reported any. */
export function runProgressSchema<S extends v.GenericSchema>(progress: S) {
  return v.object({ run: TaskRunJsonSchema, progress: v.nullable(progress) });
}
