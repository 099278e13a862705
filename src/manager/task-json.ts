/**
 * Task JSON as SM's REST API speaks it (SM's `pkg/restapi/task.go`, `pkg/service/scheduler/model.go`): request schema (TaskUpdate) and the
 * Task / TaskListItem / TaskRun renderings with their quirks — `schedule.cron` is a JSON *string*
 * `{"spec":...,"start_date":...}`, `enabled` is omitted when false, the legacy `Tags` key, `0001-01-01T00:00:00Z`
 * for a zero start date.
 * @module
 */

import * as v from "valibot";
import { ValidationError } from "../errors.ts";
import type { RunRecord, TaskRecord } from "../store/store.ts";
import { formatDuration, parseDuration } from "../util/duration.ts";
import { goTime, goTimeOrNull } from "../util/go-time.ts";
import {
  boundedList,
  boundedName,
  boundedText,
  checkDurationMs,
  describeJsonType,
  INPUT_LIMITS,
  jsonObject,
  labelsRecord,
  retries,
  windowPoints,
} from "../util/input-limits.ts";
import type { TaskJson, TaskRunJson } from "./task-json-schema.ts";

/** Go's zero time, as SM serialises an unset start date. */
export const ZERO_TIME = "0001-01-01T00:00:00Z";

/** Every schedule field is bounded (src/util/input-limits.ts); durations are bounded where they are parsed. */
const ScheduleInputSchema = jsonObject("schedule", {
  cron: v.optional(boundedText("schedule.cron")),
  window: v.optional(v.nullable(windowPoints("schedule.window"))),
  timezone: v.optional(boundedText("schedule.timezone", 64)),
  start_date: v.optional(v.nullable(boundedText("schedule.start_date", 64))),
  interval: v.optional(boundedText("schedule.interval", 64)),
  num_retries: v.optional(retries("schedule.num_retries")),
  retry_wait: v.optional(boundedText("schedule.retry_wait", 64)),
});

function lowerKeys(value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key.toLowerCase(), item]));
}

/**
 * Go's decoder matches field names case-insensitively: `{"Name": ...}` sets `name`. Applied to the TaskUpdate and
 * its schedule, never to `properties` (those are passed through as given).
 */
export function normalizeTaskUpdateKeys(value: unknown): unknown {
  const body = lowerKeys(value) as Record<string, unknown> | unknown;
  if (body !== null && typeof body === "object" && !Array.isArray(body) && "schedule" in body) {
    return { ...body, schedule: lowerKeys((body as Record<string, unknown>).schedule) };
  }
  return body;
}

const TASK_UPDATE_ENTRIES = {
  name: v.optional(boundedName("name")),
  type: v.optional(boundedText("type", 64)),
  labels: v.optional(v.nullable(labelsRecord("labels"))),
  tags: v.optional(v.nullable(boundedList("tags", INPUT_LIMITS.labels, INPUT_LIMITS.labelValue))),
  enabled: v.optional(v.boolean()),
  schedule: v.optional(v.nullable(ScheduleInputSchema)),
  properties: v.optional(
    v.nullable(
      v.pipe(
        v.custom<Record<string, unknown>>(
          (input) => input !== null && typeof input === "object" && !Array.isArray(input),
          (issue) => `properties: expected a JSON object, got ${describeJsonType(issue.input)}`,
        ),
        v.record(v.string(), v.unknown()),
      ),
    ),
  ),
};

const TaskUpdateObjectSchema = jsonObject("body", TASK_UPDATE_ENTRIES);

/** Body of POST /tasks and PUT /task/{type}/{id} (SM's TaskUpdate). Unknown keys are ignored, as Go's decoder does. */
export const TaskUpdateSchema = v.pipe(v.unknown(), v.transform(normalizeTaskUpdateKeys), TaskUpdateObjectSchema);
export type TaskUpdate = v.InferOutput<typeof TaskUpdateObjectSchema>;

/** The TaskUpdate fields (for schemas that extend it). */
export const TaskUpdateEntries = TASK_UPDATE_ENTRIES;

/** A schedule parsed from input, times in ms. */
export interface ParsedSchedule {
  cron: string;
  startDateMs: number | null;
  /** The start date SM keeps inside the cron: start_date when given with a cron, else the cron JSON's own. */
  cronStartDateMs: number | null;
  intervalSeconds: number;
  numRetries: number;
  retryWaitSeconds: number;
  window: string[];
  timezone: string;
}

function parseTime(text: string, what: string): number | null {
  if (text === "" || text.startsWith("0001-01-01")) return null;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new ValidationError(`invalid ${what} "${text}": expected an RFC3339 date-time`);
  return ms;
}

function parseDurationSeconds(text: string | undefined, what: string): number {
  if (!text) return 0;
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (error) {
    throw new ValidationError(`invalid ${what}: ${(error as Error).message}`, {
      hint: "use whole numbers with units d, h, m, s, for example 10m or 1d2h (ms is not supported)",
    });
  }
  return Math.floor(checkDurationMs(`schedule.${what}`, ms) / 1000);
}

/** Reads the cron field: a bare spec or SM's JSON string `{"spec":...,"start_date":...}`. */
function parseCronField(text: string): { spec: string; startDateMs: number | null } {
  const trimmed = text.trim();
  if (!trimmed.startsWith("{")) return { spec: trimmed, startDateMs: null };
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    throw new ValidationError(`invalid cron "${text}": neither a cron spec nor SM's {"spec":...} JSON`);
  }
  const record = parsed as { spec?: unknown; start_date?: unknown };
  const spec = typeof record.spec === "string" ? record.spec : "";
  const start = typeof record.start_date === "string" ? parseTime(record.start_date, "cron start_date") : null;
  return { spec: spec.trim(), startDateMs: start };
}

/** Parses an input schedule (syntax only; the trigger and window are validated by the service). */
export function parseScheduleInput(
  input: v.InferOutput<typeof ScheduleInputSchema> | null | undefined,
): ParsedSchedule {
  const cron = parseCronField(input?.cron ?? "");
  const given = input?.start_date ? parseTime(input.start_date, "start_date") : null;
  const startDateMs = given ?? cron.startDateMs;
  return {
    cron: cron.spec,
    startDateMs,
    // SM's pkg/restapi/task.go parseTask: a non-zero start_date with a cron spec becomes the cron's start date.
    cronStartDateMs: given !== null && cron.spec !== "" ? given : cron.startDateMs,
    intervalSeconds: parseDurationSeconds(input?.interval, "interval"),
    numRetries: input?.num_retries ?? 0,
    retryWaitSeconds: parseDurationSeconds(input?.retry_wait, "retry_wait"),
    window: input?.window ?? [],
    timezone: input?.timezone ?? "",
  };
}

/** SM's Task JSON (its shape: `TaskJsonSchema` in task-json-schema.ts). */
export function toTaskJson(task: TaskRecord): TaskJson {
  const { schedule } = task;
  const startDate = schedule.startDate ?? ZERO_TIME;
  const cronStart = schedule.cronStartDate === undefined ? startDate : (schedule.cronStartDate ?? ZERO_TIME);
  return {
    cluster_id: task.clusterId,
    type: task.type,
    id: task.id,
    name: task.name,
    // SM sends empty labels and window as null (Go's nil map and slice).
    labels: task.labels && Object.keys(task.labels).length > 0 ? task.labels : null,
    ...(task.enabled ? { enabled: true } : {}),
    ...(task.deleted ? { deleted: true } : {}),
    schedule: {
      cron: JSON.stringify({ spec: schedule.cron, start_date: schedule.cron ? goTime(cronStart) : ZERO_TIME }),
      window: schedule.window && schedule.window.length > 0 ? schedule.window : null,
      timezone: schedule.timezone,
      start_date: goTime(startDate),
      interval: formatDuration(schedule.intervalSeconds * 1000),
      num_retries: schedule.numRetries,
      retry_wait: formatDuration(schedule.retryWaitSeconds * 1000),
    },
    properties: (task.properties ?? {}) as Record<string, unknown>,
    Tags: null,
    status: task.status,
    success_count: task.successCount,
    error_count: task.errorCount,
    last_success: goTimeOrNull(task.lastSuccess),
    last_error: goTimeOrNull(task.lastError),
  };
}

/** SM's TaskRun JSON (`cause` and `end_time` omitted when empty; its shape: `TaskRunJsonSchema`). */
export function toTaskRunJson(run: RunRecord): TaskRunJson {
  return {
    cluster_id: run.clusterId,
    type: run.type,
    task_id: run.taskId,
    id: run.id,
    status: run.status,
    ...(run.cause ? { cause: run.cause } : {}),
    owner: run.owner,
    start_time: goTime(run.startTime ?? ZERO_TIME),
    ...(run.endTime ? { end_time: goTime(run.endTime) } : {}),
  };
}
