/**
 * Scylla's task manager as repair uses it: node-local `repair` module tasks and cluster-wide `tablets` module
 * tasks, their status documents, waiting with a timeout (408 `timedout`), abort, and the user task TTL after which
 * finished tasks are forgotten.
 * @module
 */
import { randomUUID } from "node:crypto";
import { RestError } from "../rest/rest-error.ts";

export type TaskState = "created" | "running" | "done" | "failed";

/** One task. */
export interface Task {
  id: string;
  module: "repair" | "tablets" | "snapshot" | "sstables_loader";
  type: string;
  kind: "node" | "cluster";
  scope: string;
  state: TaskState;
  sequenceNumber: number;
  keyspace: string;
  table: string;
  /** Node that created the task (IP). */
  node: string;
  startTime: number;
  endTime?: number;
  error: string;
  progressTotal: number;
  progressCompleted: number;
  /** `task_status.progress_units`; repair's `ranges` when unset. */
  progressUnits?: string;
  /** Aborts the work; the task then fails. */
  abort: () => void;
  /** Settles when the task ends. */
  done: Promise<void>;
}

/** Swagger `task_stats`. */
export function toTaskStats(t: Task): Record<string, unknown> {
  return {
    task_id: t.id,
    type: t.type,
    kind: t.kind,
    scope: t.scope,
    state: t.state,
    sequence_number: t.sequenceNumber,
    keyspace: t.keyspace,
    table: t.table,
    entity: "",
  };
}

const iso = (ms: number | undefined): string => new Date(ms ?? 0).toISOString().replace(/\.\d{3}Z$/, "Z");

/** Swagger `task_status`. */
export function toTaskStatus(t: Task): Record<string, unknown> {
  return {
    id: t.id,
    type: t.type,
    kind: t.kind,
    scope: t.scope,
    state: t.state,
    is_abortable: true,
    start_time: iso(t.startTime),
    end_time: iso(t.endTime),
    error: t.error,
    parent_id: "none",
    sequence_number: t.sequenceNumber,
    shard: 0,
    keyspace: t.keyspace,
    table: t.table,
    entity: "",
    progress_units: t.progressUnits ?? "ranges",
    progress_total: t.progressTotal,
    progress_completed: t.progressCompleted,
    children_ids: [],
  };
}

/** What a new task is made of. */
export type TaskInit = Omit<Task, "id" | "state" | "startTime" | "error" | "done" | "abort" | "endTime">;

/** A set of tasks (one per node for `repair`, one per cluster for `tablets`). */
export class TaskRegistry {
  readonly #tasks = new Map<string, Task>();
  readonly #now: () => number;
  /** Seconds a finished task stays visible (Scylla `user_task_ttl_in_seconds`). */
  ttlSeconds: () => number;

  constructor(now: () => number, ttlSeconds: () => number) {
    this.#now = now;
    this.ttlSeconds = ttlSeconds;
  }

  /** Creates a running task whose outcome follows `work`; `abort` is wired to `controller`. */
  start(init: TaskInit, controller: AbortController, work: (task: Task) => Promise<void>): Task {
    const task: Task = {
      ...init,
      id: randomUUID(),
      state: "running",
      startTime: this.#now(),
      error: "",
      abort: () => controller.abort(),
      done: Promise.resolve(),
    };
    this.#tasks.set(task.id, task);
    task.done = work(task).then(
      () => {
        task.state = "done";
        task.progressCompleted = task.progressTotal;
        task.endTime = this.#now();
      },
      (err: unknown) => {
        task.state = "failed";
        task.error = err instanceof Error ? err.message : String(err);
        task.endTime = this.#now();
      },
    );
    return task;
  }

  #expire(): void {
    const ttl = this.ttlSeconds() * 1000;
    for (const [id, t] of this.#tasks) {
      if (t.endTime !== undefined && this.#now() - t.endTime >= ttl) this.#tasks.delete(id);
    }
  }

  /** Tasks still known (running, or finished within the TTL). */
  list(): Task[] {
    this.#expire();
    return [...this.#tasks.values()];
  }

  /** Aborts every running task (cluster close). */
  abortAll(): void {
    for (const t of this.#tasks.values()) if (t.state === "running") t.abort();
  }

  /** A task by id, or undefined. */
  find(id: string): Task | undefined {
    this.#expire();
    return this.#tasks.get(id);
  }
}

/** Scylla's answer for an unknown task id. */
export function taskNotFound(id: string): RestError {
  return new RestError(400, `task with id ${id} not found`);
}

/**
 * Waits for a task to end; with `timeoutSeconds`, answers 408 `timedout` (seastar's timed_out_error) when it
 * does not end in time. Returns early without a value when the request goes away.
 */
export async function waitForTask(task: Task, timeoutSeconds: number | undefined, signal: AbortSignal): Promise<void> {
  const waits: Array<Promise<"done" | "timeout" | "gone">> = [task.done.then(() => "done" as const)];
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (timeoutSeconds !== undefined) {
    waits.push(new Promise((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutSeconds * 1000))));
  }
  waits.push(new Promise((resolve) => signal.addEventListener("abort", () => resolve("gone"), { once: true })));
  const outcome = await Promise.race(waits);
  clearTimeout(timer);
  if (outcome === "timeout") throw new RestError(408, "timedout");
}
