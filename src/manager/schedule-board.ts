/**
 * The leader's schedule board (several servers on one store): what the leader's scheduler knows of each task (next
 * activation, retry, running), published as rows of kind `scheduler_schedule` so task listings through the other
 * servers show the same as through the leader. The leader writes only rows that changed; a task it no longer knows
 * gets a `null` row.
 * @module
 */
import type { TaskScheduleInfo } from "../scheduler/engine.ts";
import { taskKey } from "../scheduler/model.ts";
import type { Store, TaskRecord } from "../store/store.ts";
import { LEADER_SCHEDULE_KIND, LEADER_SCHEDULE_SCOPE } from "./leadership.ts";

const { clusterId: SCOPE_CLUSTER, taskId: SCOPE_TASK, runId: SCOPE_RUN } = LEADER_SCHEDULE_SCOPE;

const NONE: TaskScheduleInfo = { nextActivation: null, retry: 0, running: false };

/** Leader side: publishes the differences since the last publish (the first one compares with what is stored). */
export class SchedulePublisher {
  readonly #store: Store;
  #published: Map<string, string> | undefined;

  constructor(store: Store) {
    this.#store = store;
  }

  /** Forget what was published (a new leadership compares with the store again). */
  reset(): void {
    this.#published = undefined;
  }

  async publish(infos: Map<string, TaskScheduleInfo>): Promise<void> {
    let published = this.#published;
    if (!published) {
      published = new Map();
      for (const row of await this.#store.listProgress(LEADER_SCHEDULE_KIND, SCOPE_CLUSTER, SCOPE_TASK, SCOPE_RUN)) {
        published.set(row.key, JSON.stringify(row.value ?? null));
      }
    }
    const rows: { key: string; value: unknown }[] = [];
    const next = new Map<string, string>();
    for (const [key, info] of infos) {
      const text = JSON.stringify(info);
      next.set(key, text);
      if (published.get(key) !== text) rows.push({ key, value: info });
    }
    for (const [key, text] of published) {
      if (!next.has(key) && text !== "null") rows.push({ key, value: null });
    }
    if (rows.length > 0) {
      await this.#store.putProgress(LEADER_SCHEDULE_KIND, SCOPE_CLUSTER, SCOPE_TASK, SCOPE_RUN, rows);
    }
    for (const row of rows) if (row.value === null) next.set(row.key, "null");
    this.#published = next;
  }
}

/** Other servers: the leader's view of each task, read in one query. */
export async function readScheduleBoard(
  store: Store,
): Promise<(task: Pick<TaskRecord, "clusterId" | "type" | "id">) => TaskScheduleInfo> {
  const board = new Map<string, TaskScheduleInfo>();
  for (const row of await store.listProgress(LEADER_SCHEDULE_KIND, SCOPE_CLUSTER, SCOPE_TASK, SCOPE_RUN)) {
    if (row.value) board.set(row.key, row.value as TaskScheduleInfo);
  }
  return (task) => board.get(taskKey(task)) ?? NONE;
}
