/**
 * The Manager library class: store + scheduler + task and suspend services, so a Node program can host the
 * scheduler without the REST server. Other domains plug in by registering runners (`registerRunner`) and by
 * attaching their services around the Manager (see src/healthcheck/wiring.ts).
 * @module
 */
import type { Registry } from "prom-client";
import type { ServerConfig } from "../config/server.ts";
import { type Clock, createSystemClock } from "../scheduler/clock.ts";
import { CLOSED_CAUSE, SchedulerEngine } from "../scheduler/engine.ts";
import { SchedulerMetrics } from "../scheduler/metrics.ts";
import { RESUME_TASK_ID, TASK_TYPES } from "../scheduler/model.ts";
import type { Runner } from "../scheduler/runner.ts";
import type { Store, StoreWrite, TaskRecord } from "../store/store.ts";
import { createSilentLogger, type Logger } from "../util/log.ts";
import { createMockRunner, createSuspendRunner } from "./builtin-runners.ts";
import { SuspendService } from "./suspend.ts";
import { TaskService } from "./task-service.ts";

/** Options of {@link Manager}. */
export interface ManagerOptions {
  store: Store;
  /** Default: silent. */
  logger?: Logger;
  /** Time source (ms since the epoch); timers are measured against it. Default Date.now. */
  now?: () => number;
  /** Full clock incl. timers (tests pass a FakeClock). Overrides `now`. */
  clock?: Clock;
  /** prom-client registry for the scheduler gauges. */
  metrics?: Registry;
  config?: Partial<ServerConfig>;
  /** Registers the internal `mock` task type (e2e tests). Also on with env SCYLLA_MANAGER_TEST_RUNNERS=1. */
  enableTestRunners?: boolean;
}

/**
 * Hosts the scheduler.
 * @example
 * const manager = new Manager({ store: createMemoryStore() });
 * manager.registerRunner("repair", repairRunner);
 * await manager.start();
 */
export class Manager {
  readonly store: Store;
  readonly logger: Logger;
  readonly config: Partial<ServerConfig>;
  readonly clock: Clock;
  /** Task CRUD, start/stop, history, runs. */
  readonly tasks: TaskService;
  /** Cluster suspend/resume. */
  readonly suspend: SuspendService;
  readonly #runners = new Map<string, Runner>();
  readonly #engine: SchedulerEngine;
  readonly #metrics: SchedulerMetrics | undefined;
  #started = false;

  constructor(options: ManagerOptions) {
    this.store = options.store;
    this.logger = options.logger ?? createSilentLogger();
    this.config = options.config ?? {};
    this.clock = options.clock ?? createSystemClock(options.now);
    const now = () => this.clock.now();
    this.#metrics = options.metrics ? new SchedulerMetrics(options.metrics, now) : undefined;
    this.suspend = new SuspendService({
      store: this.store,
      engine: () => this.#engine,
      now,
      onChange: (clusterId, suspended) => this.#metrics?.setSuspended(clusterId, suspended),
    });
    this.#engine = new SchedulerEngine({
      store: this.store,
      clock: this.clock,
      logger: this.logger,
      runnerOf: (type) => this.#runners.get(type),
      isAllowed: (clusterId, type) => this.suspend.isAllowed(clusterId, type),
      listener: this.#metrics,
    });
    this.tasks = new TaskService({
      store: this.store,
      engine: this.#engine,
      suspend: this.suspend,
      now,
      runnerOf: (type) => this.#runners.get(type),
      knownTypes: () => [...this.#runners.keys()],
    });
    this.registerRunner(
      "suspend",
      createSuspendRunner({
        suspend: this.suspend,
        store: this.store,
        createResumeTask: async (task) => {
          await this.store.putTask(task);
          this.#engine.schedule(task);
        },
      }),
    );
    const testRunners = options.enableTestRunners ?? process.env.SCYLLA_MANAGER_TEST_RUNNERS === "1";
    if (testRunners) this.registerRunner("mock", createMockRunner());
  }

  /** Registers the runner of a task type (before `start()` so loaded tasks of that type get scheduled). */
  registerRunner(type: string, runner: Runner): void {
    if (!(TASK_TYPES as readonly string[]).includes(type)) {
      throw new Error(`registerRunner: unknown task type "${type}"`);
    }
    const known = this.#runners.has(type);
    this.#runners.set(type, runner);
    // Tasks of a type registered after start() were skipped when loading; schedule them now.
    if (this.#started && !known) void this.#scheduleLoadedTasks(type);
  }

  async #scheduleLoadedTasks(type: string): Promise<void> {
    try {
      for (const task of await this.store.listAllTasks({ type })) {
        if (task.enabled && !task.deleted) this.#engine.schedule(task);
      }
    } catch (error) {
      this.logger.error("scheduler: load tasks", {
        type,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /** Whether a runner of `type` is registered. */
  hasRunner(type: string): boolean {
    return this.#runners.has(type);
  }

  /** The runner of `type`, if any (REST routes use its target/progress hooks). */
  runnerOf(type: string): Runner | undefined {
    return this.#runners.get(type);
  }

  /** Creates and schedules a task (used by the cluster service for the default tasks). */
  createTask(task: TaskRecord): Promise<TaskRecord> {
    return this.tasks.create(task);
  }

  /** Soft-deletes every task of a cluster. */
  deleteClusterTasks(clusterId: string): Promise<void> {
    return this.tasks.deleteClusterTasks(clusterId);
  }

  /**
   * Loads suspend state, marks runs left RUNNING as ABORTED (and starts those tasks again), schedules every enabled
   * task. Idempotent.
   */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    await this.suspend.load();
    const restart = new Set<string>();
    const writes: StoreWrite[] = [];
    const endTime = new Date(this.clock.now()).toISOString();
    for (const run of await this.store.listRunsByStatus("RUNNING")) {
      writes.push({ op: "putRun", run: { ...run, status: "ABORTED", cause: CLOSED_CAUSE, endTime } });
      restart.add(`${run.clusterId}/${run.type}/${run.taskId}`);
    }
    for (const run of await this.store.listRunsByStatus("STOPPING")) {
      writes.push({ op: "putRun", run: { ...run, status: "STOPPED", cause: "task was stopped", endTime } });
    }
    const tasks = await this.store.listAllTasks();
    for (const task of tasks) {
      const key = `${task.clusterId}/${task.type}/${task.id}`;
      if (restart.has(key) || task.status === "RUNNING") {
        writes.push({ op: "putTask", task: { ...task, status: "ABORTED" } });
        task.status = "ABORTED";
        restart.add(key);
      } else if (task.status === "ABORTED") restart.add(key);
    }
    if (writes.length > 0) await this.store.batch(writes);
    for (const task of tasks) {
      if (!task.enabled || task.deleted) continue;
      if (!this.#runners.has(task.type)) {
        this.logger.warn("scheduler: no runner for task type, task not scheduled", { task: task.id, type: task.type });
        continue;
      }
      if (task.id === RESUME_TASK_ID && !this.suspend.isSuspended(task.clusterId)) continue;
      const key = `${task.clusterId}/${task.type}/${task.id}`;
      if (restart.has(key) && this.suspend.isAllowed(task.clusterId, task.type)) this.#engine.start(task);
      else this.#engine.schedule(task);
    }
  }

  /** Cancels running runs (ABORTED), waits for them to be recorded, stops scheduling. The store stays open. */
  async close(): Promise<void> {
    await this.#engine.close();
  }
}
