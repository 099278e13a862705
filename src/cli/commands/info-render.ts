/**
 * Pure renderers of `sctool info` (task parameters + run history) and the common header of `sctool progress`.
 * @module
 */
import type { ApiTask, ApiTaskRun } from "../../clients/manager-api/tasks.ts";
import { describeCron } from "../output/cron.ts";
import { formatDuration, formatTime } from "../output/format.ts";
import { renderTable } from "../output/table.ts";
import { moveHostErrorsToNewLines } from "../report.ts";
import { readCron, renderProperties } from "./tasks-render.ts";

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

/** The parameters block of a task. */
export function renderTaskInfo(task: ApiTask, options: RenderInfoOptions): string {
  const lines = [`Name:\t${task.type}/${task.name || task.id}`];
  const { spec } = readCron(task.schedule.cron);
  if (spec) {
    const next = task.next_activation
      ? `next activation date: ${formatTime(task.next_activation, options.timeZone)}`
      : "no activations scheduled";
    lines.push(`Cron:\t${spec} (${describeCron(spec) ?? next})`);
  }
  const window = task.schedule.window ?? [];
  if (window.length > 0) {
    const pairs: string[] = [];
    for (let i = 0; i < window.length; i += 2) pairs.push(`[${window[i]} ${window[i + 1] ?? ""}]`);
    lines.push(`Window:\t${pairs.join(" ")}`);
  }
  if (task.schedule.timezone) lines.push(`Tz:\t${task.schedule.timezone}`);
  if (task.schedule.num_retries > 0) {
    lines.push(`Retry:\t${task.schedule.num_retries} (initial backoff ${task.schedule.retry_wait || "10m"})`);
  }
  const labels = Object.entries(task.labels ?? {});
  if (labels.length > 0) {
    lines.push("Labels:");
    for (const [key, value] of labels.sort(([a], [b]) => a.localeCompare(b))) lines.push(`- ${key}: ${value}`);
  }
  const properties = renderProperties(task.properties);
  if (properties !== "") {
    lines.push("Properties:");
    for (const item of properties.split(", ")) lines.push(`- ${item}`);
  }
  return `${lines.join("\n")}\n`;
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
