/**
 * The scheduler engine: one pending activation per task (a timer on the injected clock), runs through the type's
 * Runner, and the state machine of SM's `pkg/service/scheduler` — DONE/ERROR/STOPPED/WAITING/ABORTED, retries with
 * backoff, window deadlines, the catch-up rule and exclusivity. Persists runs and task status through the Store.
 * @module
 */
import { errorMessage } from "../errors.ts";
import type { RunRecord, Store, TaskRecord, TaskStatus } from "../store/store.ts";
import type { Logger } from "../util/log.ts";
import { newTimeUuid } from "../util/uuid.ts";
import type { Clock, TimerHandle } from "./clock.ts";
import { conflictsWithRunning } from "./exclusive.ts";
import { HEALTHCHECK_SUCCESS_RUN_ID, taskKey } from "./model.ts";
import {
  type Activation,
  CLOSED_CAUSE,
  describeOutcome,
  EXCLUSIVE_CAUSE,
  planAfterRun,
  planTriggerActivation,
} from "./plan.ts";
import {
  OutOfWindowError,
  PermanentRunError,
  type Runner,
  SchedulerClosedError,
  SchedulerSuspendedError,
  TaskStoppedError,
} from "./runner.ts";
import { locateInWindow, parseWindow } from "./window.ts";

/** Run lifecycle hooks (metrics). */
export interface EngineListener {
  onRunStart?(task: TaskRecord): void;
  onRunEnd?(task: TaskRecord, status: TaskStatus): void;
}

interface RunningRun {
  run: RunRecord;
  properties: unknown;
  controller: AbortController;
  done: Promise<void>;
}

interface Entry {
  task: TaskRecord;
  pending?: Activation;
  timer?: TimerHandle;
  running?: RunningRun;
  /** Inject `"continue": false` into the next non-retry run. */
  noContinue?: boolean;
  /**
   * A start was asked for (`start()`) and no run of it is recorded yet: if this server stops leading first, the
   * start is handed to the next leader instead of being lost.
   */
  startRequested?: boolean;
  /** The id of a run whose start could not be recorded: its retry uses it again (the write may have landed). */
  retryRunId?: string;
}

export interface EngineOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  runnerOf(type: string): Runner | undefined;
  /** False when the cluster is suspended for this type. */
  isAllowed(clusterId: string, type: string): boolean;
  listener?: EngineListener;
  /**
   * Several servers on one store: false while this server does not lead. An inactive engine never starts a run;
   * `start`/`stop` go to `forward` (the leader acts on them) instead.
   */
  isActive?(): boolean;
  forward?: {
    start(task: TaskRecord, options: { noContinue?: boolean }): Promise<void>;
    stop(task: Pick<TaskRecord, "clusterId" | "type" | "id">): Promise<boolean>;
  };
}

/** What task listings show of the scheduler's state. */
export interface TaskScheduleInfo {
  nextActivation: number | null;
  retry: number;
  running: boolean;
}

export { CLOSED_CAUSE, EXCLUSIVE_CAUSE };

/** When recording a run's start failed (the store did not answer), the activation is tried again after this, ms. */
const START_RETRY_MS = 5_000;

/** The in-process scheduler of every cluster's tasks. */
export class SchedulerEngine {
  readonly #o: EngineOptions;
  readonly #entries = new Map<string, Entry>();
  #closed = false;

  constructor(options: EngineOptions) {
    this.#o = options;
  }

  /** Schedules (or reschedules) `task` by its trigger; disabled, deleted or suspended tasks get no activation. */
  schedule(task: TaskRecord, options: { runNow?: boolean } = {}): void {
    const entry = this.#entryOf(task);
    entry.task = task;
    this.#clearPending(entry);
    if (entry.running) return; // next activation is computed when the run ends
    if (options.runNow) {
      const now = this.#o.clock.now();
      this.#setPending(entry, { at: now, initial: now, retry: 0 });
      return;
    }
    this.#scheduleByTrigger(entry, this.#o.clock.now(), true);
  }

  /** Drops a task's pending activation (a running run continues, as SM's delete). */
  unschedule(task: Pick<TaskRecord, "clusterId" | "type" | "id">, options: { forget?: boolean } = {}): void {
    const key = taskKey(task);
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#clearPending(entry);
    if (options.forget && !entry.running) this.#entries.delete(key);
  }

  /** Whether this engine may run tasks now (always, unless several servers share the store). */
  get active(): boolean {
    return this.#o.isActive?.() ?? true;
  }

  /**
   * Runs the task now unless it is running. `noContinue` injects `"continue": false` into that run. On an inactive
   * engine the request is forwarded to the leader (the returned promise says when it was handed over).
   */
  start(task: TaskRecord, options: { noContinue?: boolean } = {}): Promise<void> {
    if (!this.active && this.#o.forward) return this.#o.forward.start(task, options);
    const entry = this.#entryOf(task);
    entry.task = task;
    if (entry.running) return Promise.resolve();
    // SM keeps the start-from-scratch flag for 500 ms only, so a start deferred to the next window begin silently
    // continues the old run; we keep it until the started run consumes it, which is what --no-continue asked for.
    if (options.noContinue) entry.noContinue = true;
    if (this.#o.forward) entry.startRequested = true;
    this.#clearPending(entry);
    const now = this.#o.clock.now();
    this.#setPending(entry, { at: now, initial: now, retry: 0 });
    return Promise.resolve();
  }

  /** Stops the task's run (STOPPING, then STOPPED). Returns false when nothing was running. */
  async stop(task: Pick<TaskRecord, "clusterId" | "type" | "id">): Promise<boolean> {
    if (!this.active && this.#o.forward) return this.#o.forward.stop(task);
    const entry = this.#entries.get(taskKey(task));
    const running = entry?.running;
    if (!entry || !running) return false;
    if (running.controller.signal.aborted) return true;
    const stopping: RunRecord = { ...running.run, status: "STOPPING" };
    running.run = stopping;
    if (!this.#isHealthcheck(entry.task)) await this.#persist(entry, stopping, (t) => ({ ...t, status: "STOPPING" }));
    running.controller.abort(new TaskStoppedError());
    return true;
  }

  /** The task as this engine schedules it (undefined when it has no entry). */
  knownTask(task: Pick<TaskRecord, "clusterId" | "type" | "id">): TaskRecord | undefined {
    return this.#entries.get(taskKey(task))?.task;
  }

  /**
   * This server stopped leading: cancels every run (ABORTED, with `cause`'s error) and drops every pending
   * activation and entry, waiting at most `timeoutMs` for the runs to be recorded. Unlike `close`, the engine can be
   * used again (a new leadership schedules everything afresh).
   */
  async pause(timeoutMs = 30_000): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const entry of this.#entries.values()) {
      this.#clearPending(entry);
      if (entry.running) {
        entry.running.controller.abort(new SchedulerClosedError());
        waits.push(entry.running.done);
      } else this.#handOver(entry);
    }
    this.#entries.clear();
    if (waits.length === 0) return;
    let timer: TimerHandle | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = this.#o.clock.setTimer(resolve, timeoutMs);
    });
    await Promise.race([Promise.all(waits), timeout]);
    if (timer !== undefined) this.#o.clock.clearTimer(timer);
  }

  /** Scheduling info of a task, for listings. */
  info(task: Pick<TaskRecord, "clusterId" | "type" | "id">): TaskScheduleInfo {
    const entry = this.#entries.get(taskKey(task));
    return {
      nextActivation: entry?.pending?.at ?? null,
      retry: entry?.pending?.retry ?? 0,
      running: entry?.running !== undefined,
    };
  }

  /** Scheduling info of every task this engine knows, by `taskKey` (what a leader shows other servers). */
  scheduleInfos(): Map<string, TaskScheduleInfo> {
    const out = new Map<string, TaskScheduleInfo>();
    for (const [key, entry] of this.#entries) out.set(key, this.info(entry.task));
    return out;
  }

  /** Tasks of a cluster that are running now. */
  runningTasks(clusterId: string): TaskRecord[] {
    return [...this.#entries.values()].filter((e) => e.running && e.task.clusterId === clusterId).map((e) => e.task);
  }

  /** Pending activations of a cluster's tasks. */
  pendingTasks(clusterId: string): { task: TaskRecord; at: number }[] {
    const out: { task: TaskRecord; at: number }[] = [];
    for (const entry of this.#entries.values()) {
      if (entry.task.clusterId === clusterId && entry.pending) out.push({ task: entry.task, at: entry.pending.at });
    }
    return out;
  }

  /**
   * Suspends a cluster: drops pending activations of tasks `keep` rejects and cancels their runs (STOPPED).
   * `noContinue` marks those tasks start-from-scratch.
   */
  async suspendCluster(clusterId: string, keep: (type: string) => boolean, noContinue: boolean): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const entry of this.#entries.values()) {
      if (entry.task.clusterId !== clusterId || keep(entry.task.type)) continue;
      this.#clearPending(entry);
      if (noContinue) entry.noContinue = true;
      if (entry.running) {
        entry.running.controller.abort(new SchedulerSuspendedError());
        waits.push(entry.running.done);
      }
    }
    await Promise.all(waits);
  }

  /** Marks a task start-from-scratch for its next non-retry run. */
  markNoContinue(task: TaskRecord): void {
    this.#entryOf(task).noContinue = true;
  }

  /**
   * Cancels every run (ABORTED) and waits for them to be recorded, at most `timeoutMs` (a runner that ignores its
   * signal must not block shutdown forever).
   */
  async close(timeoutMs = 30_000): Promise<void> {
    this.#closed = true;
    const waits: Promise<void>[] = [];
    for (const entry of this.#entries.values()) {
      this.#clearPending(entry);
      if (entry.running) {
        entry.running.controller.abort(new SchedulerClosedError());
        waits.push(entry.running.done);
      }
    }
    if (waits.length === 0) return;
    let timer: TimerHandle | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = this.#o.clock.setTimer(() => {
        this.#o.logger.warn("scheduler: runs did not stop in time", { timeout_ms: timeoutMs });
        resolve();
      }, timeoutMs);
    });
    await Promise.race([Promise.all(waits), timeout]);
    if (timer !== undefined) this.#o.clock.clearTimer(timer);
  }

  #entryOf(task: TaskRecord): Entry {
    const key = taskKey(task);
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = { task };
      this.#entries.set(key, entry);
    }
    return entry;
  }

  #clearPending(entry: Entry): void {
    if (entry.timer !== undefined) this.#o.clock.clearTimer(entry.timer);
    entry.timer = undefined;
    entry.pending = undefined;
  }

  #setPending(entry: Entry, activation: Activation): void {
    if (this.#closed) return;
    this.#clearPending(entry);
    entry.pending = activation;
    const delay = Math.max(0, activation.at - this.#o.clock.now());
    entry.timer = this.#o.clock.setTimer(() => {
      entry.timer = undefined;
      void this.#fire(entry).catch((error) =>
        this.#o.logger.error("scheduler: run failed to start", {
          task: taskKey(entry.task),
          error: errorMessage(error),
        }),
      );
    }, delay);
  }

  /** Next trigger activation. `fresh`: first scheduling (never-run one-shots run at max(start_date, now)). */
  #scheduleByTrigger(entry: Entry, from: number, fresh: boolean): void {
    const { task } = entry;
    if (!task.enabled || task.deleted || !this.#o.isAllowed(task.clusterId, task.type)) return;
    try {
      const next = planTriggerActivation(task, from, this.#o.clock.now(), fresh);
      if (next) this.#setPending(entry, next);
    } catch (error) {
      this.#o.logger.error("scheduler: bad schedule", { task: taskKey(task), error: errorMessage(error) });
    }
  }

  #isHealthcheck(task: TaskRecord): boolean {
    return task.type === "healthcheck";
  }

  /** A requested start that has no recorded run goes to the leader (several servers on one store). */
  #handOver(entry: Entry): void {
    if (!entry.startRequested || !this.#o.forward) return;
    entry.startRequested = false;
    const noContinue = entry.noContinue === true;
    entry.noContinue = false;
    this.#o.forward.start(entry.task, noContinue ? { noContinue } : {}).catch((error) =>
      this.#o.logger.error("scheduler: hand a start to the leader", {
        task: taskKey(entry.task),
        error: errorMessage(error),
      }),
    );
  }

  async #fire(entry: Entry): Promise<void> {
    const activation = entry.pending;
    entry.pending = undefined;
    if (!activation || entry.running || this.#closed) return;
    if (!this.active) {
      this.#handOver(entry);
      return;
    }
    const { task } = entry;
    if (task.deleted || !this.#o.isAllowed(task.clusterId, task.type)) return;
    const now = this.#o.clock.now();
    const position = locateInWindow(parseWindow(task.schedule.window), now, task.schedule.timezone);
    if (!position.inside) {
      this.#setPending(entry, { ...activation, at: position.nextBegin });
      return;
    }
    let properties = activation.properties ?? task.properties ?? {};
    if (activation.retry === 0 && entry.noContinue) {
      entry.noContinue = false;
      properties = { ...(properties as object), continue: false };
    }
    const others = [...this.#entries.values()]
      .filter((e) => e !== entry && e.running && e.task.clusterId === task.clusterId)
      .map((e) => ({ type: e.task.type, properties: e.running?.properties }));
    const run: RunRecord = {
      clusterId: task.clusterId,
      type: task.type,
      taskId: task.id,
      id: entry.retryRunId ?? newTimeUuid(now),
      status: "RUNNING",
      cause: "",
      owner: "",
      startTime: new Date(now).toISOString(),
      endTime: null,
    };
    entry.retryRunId = undefined;
    const runner = this.#o.runnerOf(task.type);
    if (!runner || conflictsWithRunning({ type: task.type, properties }, others)) {
      const cause = runner ? EXCLUSIVE_CAUSE : `no runner for task type ${task.type}`;
      await this.#finish(entry, activation, properties, { ...run, status: "ERROR", cause }, true);
      return;
    }
    const controller = new AbortController();
    const running: RunningRun = { run, properties, controller, done: Promise.resolve() };
    entry.running = running;
    running.done = (async () => {
      let deadlineTimer: TimerHandle | undefined;
      let ended: TaskStatus | undefined;
      try {
        if (!this.#isHealthcheck(task)) {
          try {
            await this.#persist(entry, run, (t) => ({ ...t, status: "RUNNING" }));
          } catch (error) {
            // Nothing ran: try the activation again later (the store may be failing over), same run id.
            entry.running = undefined;
            this.#o.logger.error("scheduler: record run start, retrying", {
              task: taskKey(task),
              error: errorMessage(error),
            });
            entry.retryRunId = run.id;
            const again = { ...activation, properties, at: this.#o.clock.now() + START_RETRY_MS };
            if (this.active) this.#setPending(entry, again);
            else this.#handOver(entry);
            return;
          }
          entry.startRequested = false;
        }
        this.#o.listener?.onRunStart?.(task);
        if (Number.isFinite(position.deadline)) {
          deadlineTimer = this.#o.clock.setTimer(
            () => controller.abort(new OutOfWindowError()),
            position.deadline - this.#o.clock.now(),
          );
        }
        let error: unknown;
        try {
          await runner.run({
            clusterId: task.clusterId,
            taskId: task.id,
            runId: run.id,
            type: task.type,
            properties,
            retry: activation.retry,
            signal: controller.signal,
            logger: this.#o.logger,
          });
        } catch (caught) {
          error = caught;
        }
        const end = { ...running.run, endTime: new Date(this.#o.clock.now()).toISOString() };
        const outcome = describeOutcome(error, controller.signal);
        entry.running = undefined;
        ended = outcome.status;
        await this.#finish(
          entry,
          activation,
          properties,
          { ...end, ...outcome },
          !(error instanceof PermanentRunError),
        );
      } catch (error) {
        entry.running = undefined;
        this.#o.logger.error("scheduler: record run", { task: taskKey(task), error: errorMessage(error) });
        // The run did end (its end could not be recorded: the store is failing); metrics must not show it running.
        if (ended !== undefined) this.#o.listener?.onRunEnd?.(task, ended);
      } finally {
        if (deadlineTimer !== undefined) this.#o.clock.clearTimer(deadlineTimer);
      }
    })();
    await running.done;
  }

  async #finish(entry: Entry, activation: Activation, properties: unknown, run: RunRecord, retryable: boolean) {
    const endIso = run.endTime ?? new Date(this.#o.clock.now()).toISOString();
    const final: RunRecord = { ...run, endTime: endIso };
    if (this.#isHealthcheck(entry.task) && final.status === "DONE") final.id = HEALTHCHECK_SUCCESS_RUN_ID;
    await this.#persist(entry, final, (t) => ({
      ...t,
      status: final.status,
      successCount: t.successCount + (final.status === "DONE" ? 1 : 0),
      errorCount: t.errorCount + (final.status === "ERROR" ? 1 : 0),
      lastSuccess: final.status === "DONE" ? endIso : t.lastSuccess,
      lastError: final.status === "ERROR" ? endIso : t.lastError,
    }));
    this.#o.listener?.onRunEnd?.(entry.task, final.status);
    this.#planAfterRun(entry, activation, properties, final.status, retryable);
  }

  #planAfterRun(entry: Entry, activation: Activation, properties: unknown, status: TaskStatus, retryable: boolean) {
    const { task } = entry;
    if (this.#closed || status === "ABORTED" || task.deleted) return;
    if (!this.#o.isAllowed(task.clusterId, task.type)) return; // suspended: resume reschedules
    const next = planAfterRun(task, activation, properties, status, retryable, this.#o.clock.now());
    if (next === "trigger") this.#scheduleByTrigger(entry, activation.initial, false);
    else this.#setPending(entry, next);
  }

  /** Writes the run and the task's new status/counters in one batch (read-modify-write of the stored task). */
  async #persist(entry: Entry, run: RunRecord, update: (task: TaskRecord) => TaskRecord): Promise<void> {
    const { store } = this.#o;
    const stored = (await store.getTask(run.clusterId, run.type, run.taskId)) ?? entry.task;
    const task = update(stored);
    entry.task = { ...entry.task, ...pickProgressFields(task), ...pickSpec(stored) };
    await store.batch([
      { op: "putRun", run },
      { op: "putTask", task },
    ]);
  }
}

function pickProgressFields(task: TaskRecord) {
  const { status, successCount, errorCount, lastSuccess, lastError } = task;
  return { status, successCount, errorCount, lastSuccess, lastError };
}

function pickSpec(task: TaskRecord) {
  const { enabled, deleted, name, labels, properties, schedule } = task;
  return { enabled, deleted, name, labels, properties, schedule };
}
