/**
 * The tasks every new cluster gets (SM's `makeAutoHealthCheckTasks`): three enabled `healthcheck` tasks named
 * `cql`, `rest` and `alternator` with `{"mode": ...}` and the config's crons in the local timezone, plus
 * `repair/all-weekly` when a repair runner exists and the user did not ask `without_repair`.
 * @module
 */

import type { ScheduleRecord, TaskRecord } from "../store/store.ts";
import { localZoneName } from "../util/local-zone.ts";
import { newUuid } from "../util/uuid.ts";

/** Health-check modes, one task each. */
const HEALTHCHECK_MODES = ["cql", "rest", "alternator"] as const;
export type HealthcheckMode = (typeof HEALTHCHECK_MODES)[number];

/** Crons of the default health checks (`healthcheck.*_ping_cron`), default every minute. */
export interface HealthcheckCrons {
  cql_ping_cron?: string;
  rest_ping_cron?: string;
  alternator_ping_cron?: string;
}

function schedule(cron: string, timezone: string, numRetries = 0, retryWaitSeconds = 0): ScheduleRecord {
  // No start date: the task service sets the creation time, as SM's does; the cron's own start date is Go's zero.
  return {
    cron,
    startDate: null,
    cronStartDate: null,
    intervalSeconds: 0,
    numRetries,
    retryWaitSeconds,
    window: [],
    timezone,
  };
}

function newTask(
  clusterId: string,
  type: string,
  name: string,
  sched: ScheduleRecord,
  properties: unknown,
): TaskRecord {
  return {
    clusterId,
    type,
    id: newUuid(),
    name,
    labels: {},
    enabled: true,
    deleted: false,
    schedule: sched,
    properties,
    status: "NEW",
    successCount: 0,
    errorCount: 0,
    lastSuccess: null,
    lastError: null,
  };
}

/** The local IANA timezone (SM schedules the default tasks in the server's local zone). */
function localTimezone(): string {
  return localZoneName();
}

/** The configured cron of a health-check mode (default every minute). */
function healthcheckCron(mode: HealthcheckMode, crons: HealthcheckCrons = {}): string {
  const configured = { cql: crons.cql_ping_cron, rest: crons.rest_ping_cron, alternator: crons.alternator_ping_cron };
  return configured[mode] || "* * * * *";
}

/**
 * SM's `UpdateHealthcheckTasks`: healthcheck tasks whose cron differs from the config get the configured cron
 * (run at start-up, so a changed config reaches existing clusters). Returns the tasks to rewrite.
 */
export function planHealthcheckCronSync(tasks: readonly TaskRecord[], crons: HealthcheckCrons = {}): TaskRecord[] {
  const out: TaskRecord[] = [];
  for (const task of tasks) {
    if (task.type !== "healthcheck" || task.deleted) continue;
    const mode = (task.properties as { mode?: unknown } | null)?.mode;
    if (mode !== "cql" && mode !== "rest" && mode !== "alternator") continue;
    const cron = healthcheckCron(mode, crons);
    if (task.schedule.cron !== cron) out.push({ ...task, schedule: { ...task.schedule, cron } });
  }
  return out;
}

/** The three default health-check tasks of a cluster. */
export function makeHealthcheckTasks(
  clusterId: string,
  crons: HealthcheckCrons = {},
  timezone = localTimezone(),
): TaskRecord[] {
  return HEALTHCHECK_MODES.map((mode) =>
    newTask(clusterId, "healthcheck", mode, schedule(healthcheckCron(mode, crons), timezone), { mode }),
  );
}

/**
 * SM's weekly repair: `0 23 * * SAT`, 3 retries, default repair properties. Its retry_wait is zero, as SM sends it;
 * the retry backoff then starts at the default 10 minutes.
 */
function makeWeeklyRepairTask(clusterId: string, timezone = localTimezone()): TaskRecord {
  return newTask(clusterId, "repair", "all-weekly", schedule("0 23 * * SAT", timezone, 3), {});
}

/** Default tasks for a new cluster. `repairAvailable`: a repair runner is registered. */
export function makeDefaultTasks(
  clusterId: string,
  options: { crons?: HealthcheckCrons; withoutRepair?: boolean; repairAvailable: boolean; timezone?: string },
): TaskRecord[] {
  const tasks = makeHealthcheckTasks(clusterId, options.crons, options.timezone);
  if (options.repairAvailable && !options.withoutRepair) tasks.push(makeWeeklyRepairTask(clusterId, options.timezone));
  return tasks;
}
