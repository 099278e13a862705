/**
 * Scheduler-side task model helpers: known task types, statuses, the fixed ids, and schedule → trigger inputs.
 * @module
 */
import type { ScheduleRecord, TaskRecord, TaskStatus } from "../store/store.ts";
import { timeUuidFromTicks } from "../util/uuid.ts";
import type { TriggerSpec } from "./trigger.ts";

/** Every task type SM knows (`mock` is internal, for tests). */
export const TASK_TYPES = [
  "backup",
  "restore",
  "1_1_restore",
  "healthcheck",
  "repair",
  "tablet_repair",
  "suspend",
  "validate_backup",
  "mock",
] as const;

/** Status order used by `sctool tasks --sort status`. */
export const TASK_STATUSES: readonly TaskStatus[] = [
  "NEW",
  "RUNNING",
  "STOPPING",
  "STOPPED",
  "WAITING",
  "DONE",
  "ERROR",
  "ABORTED",
];

/** The internal `suspend/resume` task's fixed id. */
export const RESUME_TASK_ID = "805e43b0-2c0a-481e-bab8-9c2418940d67";

/** Run id shared by every successful healthcheck run: the time UUID of the Unix epoch (SM's `uuid.NewFromTime(unix 0)`). */
export const HEALTHCHECK_SUCCESS_RUN_ID = timeUuidFromTicks(122_192_928_000_000_000n, 0);

/** A task's key in the scheduler. */
export function taskKey(task: Pick<TaskRecord, "clusterId" | "type" | "id">): string {
  return `${task.clusterId}/${task.type}/${task.id}`;
}

/** The trigger inputs of a stored schedule. */
export function toTriggerSpec(schedule: ScheduleRecord): TriggerSpec {
  return {
    cron: schedule.cron,
    startDateMs: schedule.startDate ? Date.parse(schedule.startDate) : null,
    intervalMs: schedule.intervalSeconds * 1000,
    timezone: schedule.timezone,
  };
}

/** True for a task with no cron and no interval: it runs once, at start_date. */
export function isOneShot(schedule: ScheduleRecord): boolean {
  return schedule.cron.trim() === "" && schedule.intervalSeconds <= 0;
}
