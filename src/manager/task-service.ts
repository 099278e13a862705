/**
 * The task service (SM's `scheduler.Service`): create/update/delete/list tasks, start/stop, history and runs.
 * Every change is validated before anything is stored; the engine is told after the store has it.
 * @module
 */
import { NotFoundError, ValidationError } from "../errors.ts";
import type { SchedulerEngine, TaskScheduleInfo } from "../scheduler/engine.ts";
import { RESUME_TASK_ID, TASK_STATUSES } from "../scheduler/model.ts";
import type { Runner } from "../scheduler/runner.ts";
import { createTrigger, validateCronSpec } from "../scheduler/trigger.ts";
import { parseWindow } from "../scheduler/window.ts";
import type { RunRecord, Store, TaskRecord, TaskStatus } from "../store/store.ts";
import { isUuid, NIL_UUID, newUuid } from "../util/uuid.ts";
import type { SuspendService } from "./suspend.ts";
import { parseScheduleInput, type TaskUpdate } from "./task-json.ts";

/** A task plus what the scheduler knows of it (SM's TaskListItem). */
export interface TaskListEntry {
  /** Possibly the store's shared, frozen record (`Store.listTasksShared`): never change it. */
  task: Readonly<TaskRecord>;
  schedule: TaskScheduleInfo;
  suspended: boolean;
}

export interface ListTasksOptions {
  all?: boolean;
  type?: string;
  status?: string;
  taskId?: string;
}

interface TaskServiceDeps {
  store: Store;
  engine: SchedulerEngine;
  suspend: SuspendService;
  now: () => number;
  runnerOf(type: string): Runner | undefined;
  knownTypes(): string[];
  /**
   * Several servers on one store: on a server that does not lead, the leader's view of each task (its scheduler
   * holds the activations); undefined: this engine's own.
   */
  scheduleSource?(): Promise<((task: TaskRecord) => TaskScheduleInfo) | undefined>;
}

/** Creates, changes and queries tasks. */
export class TaskService {
  readonly #d: TaskServiceDeps;

  constructor(deps: TaskServiceDeps) {
    this.#d = deps;
  }

  /** Refuses a type without a registered runner with a clear 400 (never accepted and failed later). */
  requireRunner(type: string): Runner {
    const runner = this.#d.runnerOf(type);
    if (runner) return runner;
    throw new ValidationError(`unsupported task type "${type}"`, {
      hint: `this server runs task types: ${this.#d.knownTypes().sort().join(", ")}`,
    });
  }

  /** Builds a validated TaskRecord from a REST TaskUpdate body. */
  async fromUpdate(clusterId: string, body: TaskUpdate, existing?: TaskRecord): Promise<TaskRecord> {
    const type = existing?.type ?? body.type ?? "";
    if (type === "") throw new ValidationError("missing task type", { hint: 'set "type", e.g. "repair"' });
    const schedule = body.schedule === undefined && existing ? undefined : parseScheduleInput(body.schedule);
    const now = this.#d.now();
    const startDate =
      schedule === undefined
        ? (existing?.schedule.startDate ?? null)
        : schedule.startDateMs !== null
          ? new Date(schedule.startDateMs).toISOString()
          : existing
            ? existing.schedule.startDate
            : new Date(now).toISOString(); // no start date ⇒ now (ad-hoc tasks run at once)
    return {
      clusterId,
      type,
      id: existing?.id ?? newUuid(),
      name: body.name ?? existing?.name ?? "",
      labels: body.labels ?? existing?.labels ?? {},
      // SM decodes a missing `enabled` as false; we keep the current value (true for a new task) instead.
      enabled: body.enabled ?? existing?.enabled ?? true,
      deleted: false,
      schedule:
        schedule === undefined && existing
          ? existing.schedule
          : {
              cron: schedule?.cron ?? "",
              startDate,
              cronStartDate:
                schedule?.cronStartDateMs === null || schedule?.cronStartDateMs === undefined
                  ? null
                  : new Date(schedule.cronStartDateMs).toISOString(),
              intervalSeconds: schedule?.intervalSeconds ?? 0,
              numRetries: schedule?.numRetries ?? 0,
              retryWaitSeconds: schedule?.retryWaitSeconds ?? 0,
              window: schedule?.window ?? [],
              timezone: schedule?.timezone ?? "",
            },
      properties: body.properties ?? existing?.properties ?? {},
      status: existing?.status ?? "NEW",
      successCount: existing?.successCount ?? 0,
      errorCount: existing?.errorCount ?? 0,
      lastSuccess: existing?.lastSuccess ?? null,
      lastError: existing?.lastError ?? null,
    };
  }

  async #validate(task: TaskRecord, isNew: boolean): Promise<TaskRecord> {
    const runner = this.requireRunner(task.type);
    if (task.name !== "" && isUuid(task.name)) {
      throw new ValidationError(`invalid task name "${task.name}": a name must not be a UUID`);
    }
    const { schedule } = task;
    validateCronSpec(schedule.cron);
    parseWindow(schedule.window);
    createTrigger({ cron: schedule.cron, startDateMs: null, intervalMs: 0, timezone: schedule.timezone });
    if (
      isNew &&
      schedule.intervalSeconds > 0 &&
      schedule.startDate &&
      Date.parse(schedule.startDate) < this.#d.now() - 1000
    ) {
      throw new ValidationError("start_date is in the past with a non-zero interval", {
        hint: "pick a future start date",
      });
    }
    // A zero retry_wait stays zero, as SM stores it; the retry backoff then starts at 10 minutes (scheduler/retry.ts).
    // Only creation is refused while suspended (SM); an update is stored and scheduled on resume.
    if (isNew && !this.#d.suspend.isAllowed(task.clusterId, task.type)) {
      throw new ValidationError("cluster is suspended, scheduling tasks is not allowed", {
        hint: "resume the cluster first (sctool resume)",
      });
    }
    if (task.name !== "") {
      const clash = (await this.#d.store.listTasks(task.clusterId, { type: task.type })).find(
        (other) => other.name === task.name && other.id !== task.id,
      );
      // SM answers 500 here; a duplicate name is the user's to fix, so we answer 400.
      if (clash) throw new ValidationError(`task name ${task.name} is already used`);
    }
    const properties = runner.validateProperties
      ? await runner.validateProperties(task.clusterId, task.properties ?? {})
      : task.properties;
    return { ...task, properties: properties ?? {} };
  }

  /** Creates and schedules a task. */
  async create(input: TaskRecord): Promise<TaskRecord> {
    const task = await this.#validate({ ...input }, true);
    // SM's scheduler PutTask: a task created without a start date starts at its creation time (the default tasks
    // of a new cluster included); the start date inside its cron stays as given.
    if (task.schedule.startDate === null) {
      task.schedule = { ...task.schedule, startDate: new Date(this.#d.now()).toISOString() };
    }
    await this.#d.store.putTask(task);
    this.#d.engine.schedule(task);
    return task;
  }

  /** Updates a task's spec (status and counters are kept) and reschedules it. */
  async update(input: TaskRecord): Promise<TaskRecord> {
    if (input.id === RESUME_TASK_ID) throw new ValidationError("the internal resume task cannot be updated");
    const existing = await this.get(input.clusterId, input.type, input.id);
    const task = await this.#validate({ ...input, status: existing.status }, false);
    const merged: TaskRecord = {
      ...existing,
      name: task.name,
      labels: task.labels,
      enabled: task.enabled,
      schedule: task.schedule,
      properties: task.properties,
    };
    await this.#d.store.putTask(merged);
    this.#d.engine.schedule(merged);
    return merged;
  }

  /** A live task. @throws NotFoundError */
  async get(clusterId: string, type: string, id: string): Promise<TaskRecord> {
    const task = isUuid(id) ? await this.#d.store.getTask(clusterId, type, id.toLowerCase()) : undefined;
    if (!task) throw new NotFoundError(`get resource: get task ${type}/${id}: not found`);
    // SM answers 500 `task "<id>" is deleted` (SM's `pkg/service/scheduler/service.go`); a deleted task is gone to the caller,
    // so we answer 404 with the same text.
    if (task.deleted) throw new NotFoundError(`get resource: task "${id}" is deleted`);
    return task;
  }

  /** Soft delete: `deleted`, disabled, name cleared, unscheduled; a running run is not stopped (SM). */
  async delete(clusterId: string, type: string, id: string): Promise<void> {
    const task = await this.get(clusterId, type, id);
    const deleted = { ...task, deleted: true, enabled: false, name: "" };
    await this.#d.store.putTask(deleted);
    this.#d.engine.unschedule(deleted, { forget: true });
  }

  /** Soft-deletes every task of a cluster (cluster deletion). */
  async deleteClusterTasks(clusterId: string): Promise<void> {
    for (const task of await this.#d.store.listTasks(clusterId)) {
      const deleted = { ...task, deleted: true, enabled: false, name: "" };
      await this.#d.store.putTask(deleted);
      this.#d.engine.unschedule(deleted, { forget: true });
    }
  }

  /** Tasks of a cluster in (type, id) order, with scheduling info. */
  async list(clusterId: string, options: ListTasksOptions = {}): Promise<TaskListEntry[]> {
    if (options.status !== undefined && !TASK_STATUSES.includes(options.status as TaskStatus)) {
      throw new ValidationError(`invalid status "${options.status}"`, {
        hint: `use one of ${TASK_STATUSES.join(", ")}`,
      });
    }
    const filter = options.type ? { type: options.type } : {};
    const store = this.#d.store;
    const [tasks, source] = await Promise.all([
      store.listTasksShared ? store.listTasksShared(clusterId, filter) : store.listTasks(clusterId, filter),
      this.#d.scheduleSource?.(),
    ]);
    const infoOf = source ?? ((task: TaskRecord) => this.#d.engine.info(task));
    const suspended = this.#d.suspend.isSuspended(clusterId);
    return tasks
      .filter((t) => options.all || t.enabled)
      .filter((t) => options.status === undefined || t.status === options.status)
      .filter((t) => options.taskId === undefined || t.id === options.taskId.toLowerCase())
      .map((task) => {
        const schedule = infoOf(task);
        return { task, schedule, suspended: suspended && schedule.nextActivation === null };
      });
  }

  /** Runs a task now (no-op when running). */
  async start(clusterId: string, type: string, id: string, options: { continue?: boolean } = {}): Promise<void> {
    const task = await this.get(clusterId, type, id);
    if (!this.#d.suspend.isAllowed(clusterId, type)) {
      throw new ValidationError("cluster is suspended", { hint: "resume the cluster first (sctool resume)" });
    }
    this.requireRunner(type);
    await this.#d.engine.start(task, { noContinue: options.continue === false });
  }

  /** Stops a task's run; `disable` also disables the task. */
  async stop(clusterId: string, type: string, id: string, options: { disable?: boolean } = {}): Promise<void> {
    const task = await this.get(clusterId, type, id);
    if (options.disable && task.enabled) {
      const disabled = { ...task, enabled: false };
      await this.#d.store.putTask(disabled);
      this.#d.engine.unschedule(disabled);
    }
    await this.#d.engine.stop(task);
  }

  /** Run history, newest first. */
  async history(clusterId: string, type: string, id: string, limit = 10): Promise<RunRecord[]> {
    await this.get(clusterId, type, id);
    return this.#d.store.listRuns(clusterId, type, id.toLowerCase(), limit);
  }

  /**
   * A run by UUID, `latest` or `~N`. `latest`/`~0` of a task with no runs gives SM's synthetic NEW run (nil id).
   * @returns the run and whether it is synthetic.
   */
  async getRun(
    clusterId: string,
    type: string,
    id: string,
    runId: string,
  ): Promise<{ run: RunRecord; synthetic: boolean }> {
    const task = await this.get(clusterId, type, id);
    const back = runId === "latest" ? 0 : /^~\d+$/.test(runId) ? Number(runId.slice(1)) : undefined;
    if (back !== undefined) {
      const runs = await this.#d.store.listRuns(clusterId, type, task.id, back + 1);
      const run = runs[back];
      if (run) return { run, synthetic: false };
      if (back === 0) {
        const synthetic: RunRecord = {
          clusterId,
          type,
          taskId: task.id,
          id: NIL_UUID,
          status: "NEW",
          cause: "",
          owner: "",
          startTime: null,
          endTime: null,
        };
        return { run: synthetic, synthetic: true };
      }
      throw new NotFoundError(`get resource: get run ${runId} of ${type}/${task.id}: not found`);
    }
    if (!isUuid(runId)) throw new ValidationError(`invalid run id "${runId}": use a UUID, latest or ~N`);
    const run = await this.#d.store.getRun(clusterId, type, task.id, runId.toLowerCase());
    if (!run) throw new NotFoundError(`get resource: get run ${runId}: not found`);
    return { run, synthetic: false };
  }
}
