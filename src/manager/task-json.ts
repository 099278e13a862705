/**
 * Task JSON as SM's REST API speaks it (reference/sm-surface.md §1.3, §7): request schema (TaskUpdate) and the
 * Task / TaskListItem / TaskRun renderings with their quirks — `schedule.cron` is a JSON *string*
 * `{"spec":...,"start_date":...}`, `enabled` is omitted when false, the legacy `Tags` key, `0001-01-01T00:00:00Z`
 * for a zero start date.
 * @module
 */
import * as v from "valibot";
import { ValidationError } from "../errors.ts";
import type { RunRecord, TaskRecord } from "../store/store.ts";
import { formatDuration, parseDuration } from "../util/duration.ts";

/** Go's zero time, as SM serialises an unset start date. */
export const ZERO_TIME = "0001-01-01T00:00:00Z";

const ScheduleInputSchema = v.object({
  cron: v.optional(v.string("schedule.cron must be a string")),
  window: v.optional(v.nullable(v.array(v.string("window items must be strings")))),
  timezone: v.optional(v.string()),
  start_date: v.optional(v.nullable(v.string())),
  interval: v.optional(v.string()),
  num_retries: v.optional(v.pipe(v.number(), v.integer("num_retries must be an integer"), v.minValue(0))),
  retry_wait: v.optional(v.string()),
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

const TaskUpdateObjectSchema = v.object({
  name: v.optional(v.string()),
  type: v.optional(v.string()),
  labels: v.optional(v.nullable(v.record(v.string(), v.string()))),
  tags: v.optional(v.nullable(v.array(v.string()))),
  enabled: v.optional(v.boolean()),
  schedule: v.optional(v.nullable(ScheduleInputSchema)),
  properties: v.optional(v.nullable(v.record(v.string(), v.unknown(), "properties must be a JSON object"))),
});

/** Body of POST /tasks and PUT /task/{type}/{id} (SM's TaskUpdate). Unknown keys are ignored, as Go's decoder does. */
export const TaskUpdateSchema = v.pipe(v.unknown(), v.transform(normalizeTaskUpdateKeys), TaskUpdateObjectSchema);
export type TaskUpdate = v.InferOutput<typeof TaskUpdateObjectSchema>;

/** The TaskUpdate fields (for schemas that extend it). */
export const TaskUpdateEntries = TaskUpdateObjectSchema.entries;

/** A schedule parsed from input, times in ms. */
export interface ParsedSchedule {
  cron: string;
  startDateMs: number | null;
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
  try {
    return Math.floor(parseDuration(text) / 1000);
  } catch (error) {
    throw new ValidationError(`invalid ${what}: ${(error as Error).message}`, {
      hint: "use whole numbers with units d, h, m, s, for example 10m or 1d2h (ms is not supported)",
    });
  }
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
  const startDateMs = input?.start_date ? parseTime(input.start_date, "start_date") : cron.startDateMs;
  return {
    cron: cron.spec,
    startDateMs,
    intervalSeconds: parseDurationSeconds(input?.interval, "interval"),
    numRetries: input?.num_retries ?? 0,
    retryWaitSeconds: parseDurationSeconds(input?.retry_wait, "retry_wait"),
    window: input?.window ?? [],
    timezone: input?.timezone ?? "",
  };
}

/** SM's Task JSON. */
export function toTaskJson(task: TaskRecord): Record<string, unknown> {
  const { schedule } = task;
  const startDate = schedule.startDate ?? ZERO_TIME;
  const json: Record<string, unknown> = {
    cluster_id: task.clusterId,
    type: task.type,
    id: task.id,
    name: task.name,
    labels: task.labels,
  };
  if (task.enabled) json.enabled = true;
  if (task.deleted) json.deleted = true;
  json.schedule = {
    cron: JSON.stringify({ spec: schedule.cron, start_date: schedule.cron ? startDate : ZERO_TIME }),
    window: schedule.window,
    timezone: schedule.timezone,
    start_date: startDate,
    interval: formatDuration(schedule.intervalSeconds * 1000),
    num_retries: schedule.numRetries,
    retry_wait: formatDuration(schedule.retryWaitSeconds * 1000),
  };
  json.properties = task.properties ?? {};
  json.Tags = null;
  json.status = task.status;
  json.success_count = task.successCount;
  json.error_count = task.errorCount;
  json.last_success = task.lastSuccess;
  json.last_error = task.lastError;
  return json;
}

/** SM's TaskRun JSON (`cause` and `end_time` omitted when empty). */
export function toTaskRunJson(run: RunRecord): Record<string, unknown> {
  const json: Record<string, unknown> = {
    cluster_id: run.clusterId,
    type: run.type,
    task_id: run.taskId,
    id: run.id,
    status: run.status,
  };
  if (run.cause) json.cause = run.cause;
  json.owner = run.owner;
  json.start_time = run.startTime ?? ZERO_TIME;
  if (run.endTime) json.end_time = run.endTime;
  return json;
}
