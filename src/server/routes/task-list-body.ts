/**
 * The body of `GET /cluster/{cluster_id}/tasks` as JSON text, byte for byte `JSON.stringify` of the
 * `toTaskListItemJson` items. A task's own part (`toTaskJson`) is rendered once per record object when the record is
 * frozen (the store's shared records, `Store.listTasksShared`, unchanged while the task is), so listing 1,000
 * unchanged tasks renders and allocates little; the scheduling part (`suspended`, `next_activation`, `retry`) is
 * appended per request.
 * @module
 */
import { toTaskJson } from "../../manager/task-json.ts";
import type { TaskListEntry } from "../../manager/task-service.ts";
import type { TaskRecord } from "../../store/store.ts";
import { goTime } from "../../util/go-time.ts";
import { toTaskListItemJson } from "./tasks-common.ts";

/** A frozen record's `toTaskJson` text without its closing brace; dropped with the record. */
const rendered = new WeakMap<Readonly<TaskRecord>, string>();

function openTaskJson(task: Readonly<TaskRecord>): string {
  const cached = rendered.get(task);
  if (cached !== undefined) return cached;
  const text = JSON.stringify(toTaskJson(task as TaskRecord)).slice(0, -1);
  if (Object.isFrozen(task)) rendered.set(task, text);
  return text;
}

/** `JSON.stringify(entries.map(toTaskListItemJson))`, from cached parts where it can. */
export function taskListBody(entries: readonly TaskListEntry[]): string {
  // Records that are not shared (SQLite, memory) are new objects per request: one stringify is cheaper than parts.
  if (!entries.some((entry) => Object.isFrozen(entry.task))) return JSON.stringify(entries.map(toTaskListItemJson));
  const items = entries.map(({ task, schedule, suspended }) => {
    const next = schedule.nextActivation === null ? "null" : JSON.stringify(goTime(schedule.nextActivation));
    return `${openTaskJson(task)},"suspended":${suspended},"next_activation":${next},"retry":${JSON.stringify(schedule.retry)}}`;
  });
  return `[${items.join(",")}]`;
}
