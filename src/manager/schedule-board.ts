/**
 * The leader's schedule board (several servers on one store): what the leader's scheduler knows of each task (next
 * activation, retry, running), published as rows of kind `scheduler_schedule` so task listings through the other
 * servers show the same as through the leader. The leader writes only rows that changed; a task it no longer knows
 * gets a `null` row. After the rows of a publish are written, the leader sets a new random version in the drawer
 * (`scheduler_schedule_version`); other servers keep the board in memory and read the rows again only when that
 * version changed (or their copy is older than `BOARD_MAX_AGE_MS`, which bounds what a lost version write or clock
 * skew between servers could hide), so a task listing costs one small read, not one row per task.
 * @module
 */
import { randomUUID } from "node:crypto";
import type { TaskScheduleInfo } from "../scheduler/engine.ts";
import { taskKey } from "../scheduler/model.ts";
import type { Store, TaskRecord } from "../store/store.ts";
import { LEADER_SCHEDULE_KIND, LEADER_SCHEDULE_SCOPE } from "./leadership.ts";

const { clusterId: SCOPE_CLUSTER, taskId: SCOPE_TASK, runId: SCOPE_RUN } = LEADER_SCHEDULE_SCOPE;

const NONE: TaskScheduleInfo = { nextActivation: null, retry: 0, running: false };

/** The drawer key (of the board's pseudo cluster) holding the board's version. */
export const BOARD_VERSION_KEY = "scheduler_schedule_version";

/** How long another server trusts its copy of the board on the version alone, ms. */
export const BOARD_MAX_AGE_MS = 10_000;

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
      // Only after the rows: a server that reads this version reads rows at least as new.
      await this.#store.putDrawer(SCOPE_CLUSTER, BOARD_VERSION_KEY, randomUUID());
    }
    for (const row of rows) if (row.value === null) next.set(row.key, "null");
    this.#published = next;
  }
}

type BoardLookup = (task: Pick<TaskRecord, "clusterId" | "type" | "id">) => TaskScheduleInfo;

/** Other servers: the leader's view of each task, from memory while the board's version is unchanged. */
export class ScheduleBoardReader {
  readonly #store: Store;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #cached: { version: string; lookup: BoardLookup; readAt: number } | undefined;

  constructor(store: Store, options: { maxAgeMs?: number; now?: () => number } = {}) {
    this.#store = store;
    this.#maxAgeMs = options.maxAgeMs ?? BOARD_MAX_AGE_MS;
    this.#now = options.now ?? Date.now;
  }

  async read(): Promise<BoardLookup> {
    const readAt = this.#now();
    const stored = await this.#store.getDrawer(SCOPE_CLUSTER, BOARD_VERSION_KEY);
    const version = typeof stored === "string" ? stored : undefined;
    const cached = this.#cached;
    if (cached && version !== undefined && cached.version === version && readAt - cached.readAt < this.#maxAgeMs) {
      return cached.lookup;
    }
    const lookup = await readScheduleBoard(this.#store);
    // No version (nothing published yet, or a leader that does not set one): never answered from memory.
    this.#cached = version === undefined ? undefined : { version, lookup, readAt };
    return lookup;
  }
}

/** The leader's view of each task, read in one query. */
export async function readScheduleBoard(store: Store): Promise<BoardLookup> {
  const board = new Map<string, TaskScheduleInfo>();
  for (const row of await store.listProgress(LEADER_SCHEDULE_KIND, SCOPE_CLUSTER, SCOPE_TASK, SCOPE_RUN)) {
    if (row.value) board.set(row.key, row.value as TaskScheduleInfo);
  }
  return (task) => board.get(taskKey(task)) ?? NONE;
}
