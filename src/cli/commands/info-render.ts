/**
 * Pure renderers of `sctool info` (task parameters + run history) and the common header of `sctool progress`.
 * @module
 */
import type { ApiTask, ApiTaskRun } from "../../clients/manager-api/tasks.ts";
import { describeCron } from "../output/cron.ts";
import { formatDuration, formatTime } from "../output/format.ts";
import { renderTable } from "../output/table.ts";
import { moveHostErrorsToNewLines } from "../report.ts";
import { readCron, renderPropertyItems } from "./tasks-render.ts";

export interface RenderInfoOptions {
  timeZone?: string;
  /** ms; running runs measure their duration to it. */
  now: number;
  /** Show run causes next to statuses. */
  cause?: boolean;
  ascii?: boolean;
}

function runDuration(run: ApiTaskRun, now: number): string {
  if (!run.start_time || run.start_time.startsWith("0001-")) return "";
  const start = Date.parse(run.start_time);
  const end = run.end_time && !run.end_time.startsWith("0001-") ? Date.parse(run.end_time) : now;
  return formatDuration(end - start);
}

/**
 * SM's `Cron:` value: the schedule as the server sends it (`cron`, else `interval`), then in parentheses its English
 * description, or the next activation, or that there is none. One-off tasks (no schedule) print the part in
 * parentheses alone.
 */
function cronDescription(task: ApiTask, options: RenderInfoOptions): string {
  const raw = task.schedule.cron || task.schedule.interval || "";
  const next = task.next_activation ? formatTime(task.next_activation, options.timeZone) : "";
  // SM describes the string as it came; the server's JSON form (`{"spec":...}`) has no description.
  const plain = raw !== "" && readCron(raw).spec === raw;
  const description =
    (plain ? describeCron(raw) : undefined) ??
    (next !== "" ? `next activation date: ${next}` : "no activations scheduled");
  return raw === "" ? description : `${raw} (${description})`;
}

/**
 * The parameters block of a task, laid out as SM's `TaskInfo` template renders it: `Cron:` padded with spaces,
 * `Window:` pairs each followed by a space, `Retry:` with the backoff only when the task has one (and no line
 * break after it), and a blank line before `Labels:` and `Properties:`.
 */
export function renderTaskInfo(task: ApiTask, options: RenderInfoOptions): string {
  let out = `Name:\t${task.type}/${task.name || task.id}\nCron:   ${cronDescription(task, options)}\n`;
  const window = task.schedule.window ?? [];
  if (window.length > 0) {
    let pairs = "";
    for (let i = 0; i + 1 < window.length; i += 2) pairs += `[${window[i]} ${window[i + 1]}] `;
    out += `Window:\t${pairs}\n`;
  }
  if (task.schedule.timezone) out += `Tz:\t${task.schedule.timezone}\n`;
  if (task.schedule.num_retries > 0) {
    const wait = task.schedule.retry_wait ? `(initial backoff ${task.schedule.retry_wait})` : "";
    out += `Retry:\t${task.schedule.num_retries} ${wait}`;
  }
  const labels = Object.entries(task.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (labels.length > 0) out += `\nLabels:${labels.map(([key, value]) => `\n- ${key}: ${value}`).join("")}\n`;
  const properties = renderPropertyItems(task.properties);
  if (properties.length > 0) out += `\nProperties:${properties.map((item) => `\n- ${item}`).join("")}\n`;
  return out;
}

/** The run history table (`No runs yet.` when empty). */
export function renderRunHistory(runs: ApiTaskRun[], options: RenderInfoOptions): string {
  if (runs.length === 0) return "No runs yet.\n";
  const rows = runs.map((run) => [
    run.id,
    formatTime(run.start_time, options.timeZone),
    runDuration(run, options.now),
    options.cause && run.cause ? `${run.status} ${run.cause}` : run.status,
  ]);
  return renderTable({
    header: ["ID", "Start time", "Duration", "Status"],
    rows,
    ascii: options.ascii,
    maxWidth: options.cause ? [undefined, undefined, undefined, 80] : undefined,
  });
}

/** The common progress header: Run, Status, Cause, Start time, End time, Duration. */
export function renderProgressHeader(run: ApiTaskRun, options: RenderInfoOptions & { stage?: string }): string {
  const lines = [`Run:\t\t${run.id}`, `Status:\t\t${run.status}${options.stage ? ` (${options.stage})` : ""}`];
  if (run.cause) lines.push(`Cause:\t\t${moveHostErrorsToNewLines(run.cause)}`);
  const start = formatTime(run.start_time, options.timeZone);
  if (start) lines.push(`Start time:\t${start}`);
  const end = formatTime(run.end_time, options.timeZone);
  if (end) lines.push(`End time:\t${end}`);
  lines.push(`Duration:\t${runDuration(run, options.now) || "0s"}`);
  return `${lines.join("\n")}\n`;
}
