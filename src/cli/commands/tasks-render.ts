/**
 * Pure renderers of `sctool tasks` (SM's `pkg/command/tasks`, `v3/pkg/managerclient/model.go`): the task table, SM's Schedule/Status/Next cells
 * and the `--show-properties` column.
 * @module
 */
import type { ApiTask } from "../../clients/manager-api/tasks.ts";
import { TASK_STATUSES } from "../../scheduler/model.ts";
import type { TaskStatus } from "../../store/store.ts";
import { formatPlainTime, formatTime } from "../output/format.ts";
import { renderTable } from "../output/table.ts";

export interface RenderTasksOptions {
  showIds?: boolean;
  all?: boolean;
  showProperties?: boolean;
  sort?: "next-activation" | "status";
  /** Time zone of the time cells (default: local). */
  timeZone?: string;
  /** ms; "now" for the "first activation after" decision. */
  now: number;
  ascii?: boolean;
}

/** `type/name` (or `type/uuid`), `*`-prefixed when disabled and `--all`. */
function renderTaskName(task: ApiTask, options: Pick<RenderTasksOptions, "showIds" | "all">): string {
  const name = `${task.type}/${options.showIds || !task.name ? task.id : task.name}`;
  return options.all && !task.enabled ? `*${name}` : name;
}

/** Reads SM's cron field (a JSON string `{"spec":...,"start_date":...}` or a bare spec). */
export function readCron(cron: string): { spec: string; startDate: string | undefined } {
  if (!cron.trim().startsWith("{")) return { spec: cron, startDate: undefined };
  try {
    const parsed = JSON.parse(cron) as { spec?: string; start_date?: string };
    return { spec: parsed.spec ?? "", startDate: parsed.start_date };
  } catch {
    return { spec: cron, startDate: undefined };
  }
}

/** The Schedule cell: cron spec (with its future first activation), else the legacy interval. */
function renderSchedule(task: ApiTask, now: number, timeZone?: string): string {
  const { spec, startDate } = readCron(task.schedule.cron);
  if (spec) {
    if (startDate && Date.parse(startDate) > now) {
      return `${spec} with first activation after ${formatPlainTime(startDate, timeZone)}`;
    }
    return spec;
  }
  return task.schedule.interval;
}

/** The Status cell: `ERROR (<retry-1>/<num_retries>)` while a retry is pending (as SM prints it). */
function renderStatus(task: ApiTask): string {
  if (task.status === "ERROR" && task.retry > 0) return `ERROR (${task.retry - 1}/${task.schedule.num_retries})`;
  return task.status;
}

function renderValue(value: unknown): string {
  if (Array.isArray(value)) return `'${value.map(String).join(",")}'`;
  if (value !== null && typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** `key-with-dashes: value` joined by `, `, keys sorted. */
export function renderProperties(properties: Record<string, unknown> | null): string {
  return renderPropertyItems(properties).join(", ");
}

/** Each property as `key-with-dashes: value`, keys in byte order (Go's map order in templates). */
export function renderPropertyItems(properties: Record<string, unknown> | null): string[] {
  return Object.keys(properties ?? {})
    .sort()
    .map((key) => `${key.replaceAll("_", "-")}: ${renderValue(properties?.[key])}`);
}

// The SM sctool source we read ranks NEW, RUNNING, STOPPED, DONE, ERROR, ABORTED only, so STOPPING and WAITING sort before NEW,
// and its next-activation sort reads a missing activation as the zero time (first). We rank by the full status
// enum (NEW < RUNNING < STOPPING < STOPPED < WAITING < DONE < ERROR < ABORTED) and put tasks without a next
// activation last; both sorts are stable.
function sortTasks(tasks: ApiTask[], sort: RenderTasksOptions["sort"]): ApiTask[] {
  if (sort === "status") {
    const rank = (task: ApiTask) => TASK_STATUSES.indexOf(task.status as TaskStatus);
    return [...tasks].sort((a, b) => rank(a) - rank(b));
  }
  if (sort === "next-activation") {
    const at = (task: ApiTask) => (task.next_activation ? Date.parse(task.next_activation) : Number.POSITIVE_INFINITY);
    return [...tasks].sort((a, b) => at(a) - at(b));
  }
  return tasks;
}

/** The `sctool tasks` table of one cluster. */
export function renderTasksTable(tasks: ApiTask[], options: RenderTasksOptions): string {
  const header = [
    "Task",
    "Labels",
    "Schedule",
    "Window",
    "Timezone",
    "Success",
    "Error",
    "Last Success",
    "Last Error",
    "Status",
    "Next",
  ];
  if (options.showProperties) header.push("Properties");
  const rows = sortTasks(tasks, options.sort).map((task) => {
    const row = [
      renderTaskName(task, options),
      Object.entries(task.labels ?? {})
        .map(([k, val]) => `${k}=${val}`)
        .join(", "),
      renderSchedule(task, options.now, options.timeZone),
      (task.schedule.window ?? []).join(","),
      task.schedule.timezone,
      String(task.success_count),
      String(task.error_count),
      formatTime(task.last_success, options.timeZone),
      formatTime(task.last_error, options.timeZone),
      renderStatus(task),
      task.suspended ? "[SUSPENDED]" : formatTime(task.next_activation, options.timeZone),
    ];
    if (options.showProperties) row.push(renderProperties(task.properties));
    return row;
  });
  return renderTable({ header, rows, ascii: options.ascii });
}
