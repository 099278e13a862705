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
import { newTimeUuid } from "../util/uuid.ts";
import { createMockRunner, createSuspendRunner } from "./builtin-runners.ts";
import {
  LEADER_REQUEST_KIND,
  LEADER_REQUEST_SCOPE,
  type LeaderElector,
  type LeaderInfo,
  type LeaderRequest,
} from "./leadership.ts";
import { ScheduleBoardReader, SchedulePublisher } from "./schedule-board.ts";
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
  /**
   * Several servers on one store: schedule and run only while this elector says we lead; otherwise serve from the
   * store and hand start/stop to the leader. Absent: this server always leads (SQLite, memory).
   */
  leader?: LeaderElector;
  /** How often the leader picks up task changes and requests made through other servers, ms. Default 1000. */
  leaderSyncMs?: number;
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
  readonly #leader: LeaderElector | undefined;
  readonly #leaderSyncMs: number;
  #syncTimer: ReturnType<typeof setTimeout> | undefined;
  #followTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  readonly #board: SchedulePublisher;
  readonly #boardReader: ScheduleBoardReader;
  #leading = false;
  /** Counts leadership changes, so a take-over that outlived its leadership stops. */
  #term = 0;
  #started = false;

  constructor(options: ManagerOptions) {
    this.store = options.store;
    this.logger = options.logger ?? createSilentLogger();
    this.config = options.config ?? {};
    this.clock = options.clock ?? createSystemClock(options.now);
    this.#leader = options.leader;
    this.#leaderSyncMs = options.leaderSyncMs ?? 1000;
    this.#board = new SchedulePublisher(this.store);
    this.#boardReader = new ScheduleBoardReader(this.store);
    const now = () => this.clock.now();
    this.#metrics = options.metrics ? new SchedulerMetrics(options.metrics, now) : undefined;
    const follower = () => this.#leader !== undefined && !(this.#leading && this.#leader.isLeader());
    this.suspend = new SuspendService({
      store: this.store,
      engine: () => this.#engine,
      now,
      onChange: (clusterId, suspended) => this.#metrics?.setSuspended(clusterId, suspended),
      ...(options.leader
        ? {
            forward: {
              isActive: () => !follower(),
              suspend: (clusterId, o) =>
                this.#request({
                  op: "suspend",
                  clusterId,
                  type: "",
                  taskId: "",
                  suspend: {
                    ...(o.allowTaskType ? { allowTaskType: o.allowTaskType } : {}),
                    ...(o.policy ? { policy: o.policy } : {}),
                  },
                  ...(o.noContinue ? { noContinue: true } : {}),
                }),
              resume: (clusterId, o) =>
                this.#request({
                  op: "resume",
                  clusterId,
                  type: "",
                  taskId: "",
                  resume: {
                    ...(o.startTasks ? { startTasks: true } : {}),
                    ...(o.startTasksMissedActivation ? { startTasksMissedActivation: true } : {}),
                  },
                  ...(o.noContinue ? { noContinue: true } : {}),
                }),
            },
          }
        : {}),
    });
    this.#engine = new SchedulerEngine({
      store: this.store,
      clock: this.clock,
      logger: this.logger,
      runnerOf: (type) => this.#runners.get(type),
      isAllowed: (clusterId, type) => this.suspend.isAllowed(clusterId, type),
      listener: this.#metrics,
      ...(options.leader
        ? {
            isActive: () => this.#leading && (this.#leader?.isLeader() ?? false),
            forward: {
              start: (task, opts) =>
                this.#request({
                  op: "start",
                  clusterId: task.clusterId,
                  type: task.type,
                  taskId: task.id,
                  ...(opts.noContinue ? { noContinue: true } : {}),
                }),
              stop: async (task) => {
                const runs = await this.store.listRuns(task.clusterId, task.type, task.id, 1);
                if (runs[0]?.status !== "RUNNING") return false;
                await this.#request({ op: "stop", clusterId: task.clusterId, type: task.type, taskId: task.id });
                return true;
              },
            },
          }
        : {}),
    });
    this.tasks = new TaskService({
      store: this.store,
      engine: this.#engine,
      suspend: this.suspend,
      now,
      runnerOf: (type) => this.#runners.get(type),
      knownTypes: () => [...this.#runners.keys()],
      scheduleSource: async () => (follower() ? this.#boardReader.read() : undefined),
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

  /** Who leads (several servers on one store); undefined when this server always leads. */
  leaderInfo(): LeaderInfo | undefined {
    return this.#leader?.info();
  }

  /**
   * Loads suspend state, marks runs left RUNNING as ABORTED (and starts those tasks again), schedules every enabled
   * task. Idempotent. With a `leader` elector, all of that happens each time this server becomes the leader.
   */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    if (!this.#leader) {
      await this.#takeOver();
      return;
    }
    await this.suspend.load();
    this.#scheduleFollow();
    this.#leader.start({
      onElected: async () => {
        const term = ++this.#term;
        this.#leading = true;
        this.#board.reset();
        await this.#takeOver(() => this.#term === term);
        if (this.#term === term) this.#scheduleSync();
      },
      onDemoted: async (reason) => {
        // A take-over still in progress sees the new term and starts nothing more.
        this.#term++;
        this.#leading = false;
        if (this.#syncTimer) clearTimeout(this.#syncTimer);
        this.logger.warn("scheduler: not the leader any more, stopping runs", { reason });
        await this.#engine.pause(5_000);
      },
    });
  }

  async #request(request: Omit<LeaderRequest, "from">): Promise<void> {
    const from = this.#leader?.info().self ?? "";
    const { clusterId, taskId, runId } = LEADER_REQUEST_SCOPE;
    await this.store.putProgress(LEADER_REQUEST_KIND, clusterId, taskId, runId, [
      { key: newTimeUuid(this.clock.now()), value: { ...request, from } },
    ]);
  }

  /** Not leading: keeps the suspend state current (the leader changes it). */
  #scheduleFollow(): void {
    if (this.#followTimer) clearTimeout(this.#followTimer);
    this.#followTimer = setTimeout(async () => {
      if (this.#closed) return;
      if (!this.#leading) {
        await this.suspend.load().catch((error) =>
          this.logger.warn("scheduler: refresh suspend state", {
            error: error instanceof Error ? error.message : String(error),
          }),
        );
      }
      this.#scheduleFollow();
    }, this.#leaderSyncMs);
    // A Manager left unclosed must not keep its process alive for this.
    (this.#followTimer as { unref?: () => void }).unref?.();
  }

  #scheduleSync(): void {
    if (this.#syncTimer) clearTimeout(this.#syncTimer);
    this.#syncTimer = setTimeout(async () => {
      if (!this.#leading) return;
      try {
        await this.#sync();
      } catch (error) {
        this.logger.warn("scheduler: leader sync", { error: error instanceof Error ? error.message : String(error) });
      }
      if (this.#leading) this.#scheduleSync();
    }, this.#leaderSyncMs);
  }

  /** Leader: picks up tasks changed through other servers, and their start/stop requests. */
  async #sync(): Promise<void> {
    await this.suspend.load();
    const store = this.store;
    const tasks = store.listTasksShared
      ? await store.listTasksShared(undefined, { includeDeleted: true })
      : await store.listAllTasks({ includeDeleted: true });
    for (const shared of tasks) {
      if (!this.#runners.has(shared.type)) continue;
      const known = this.#engine.knownTask(shared);
      if (known && JSON.stringify(specOf(known)) === sharedSpecText(shared)) continue;
      if (!known && (shared.deleted || !shared.enabled)) continue;
      // The engine keeps what it is given: never the store's shared record.
      const task = structuredClone(shared) as TaskRecord;
      if (task.deleted) this.#engine.unschedule(task, { forget: true });
      else this.#engine.schedule(task);
    }
    const { clusterId, taskId, runId } = LEADER_REQUEST_SCOPE;
    const rows = await this.store.listProgress(LEADER_REQUEST_KIND, clusterId, taskId, runId);
    for (const row of rows) {
      const request = row.value as LeaderRequest | null;
      if (!this.#leading) return;
      // Rows marked done by leaders before requests were deleted once handled: nothing to act on.
      if (request && !request.done) {
        try {
          await this.#act(request);
        } catch (error) {
          // A request that cannot be carried out (a suspend refused by its policy...) is logged and dropped.
          this.logger.warn("scheduler: request from another server", {
            op: request.op,
            cluster: request.clusterId,
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }
      // Handled: gone, so the queue every sync reads stays as short as the requests not yet acted on. A leader
      // that dies between acting and this delete acts on it again after the take-over (as a retried start would).
      await this.store.deleteProgress(LEADER_REQUEST_KIND, clusterId, taskId, runId, [row.key]);
    }
    await this.#board.publish(this.#engine.scheduleInfos());
  }

  async #act(request: LeaderRequest): Promise<void> {
    const noContinue = request.noContinue === true;
    if (request.op === "suspend") {
      await this.suspend.suspend(request.clusterId, { ...request.suspend, noContinue });
      return;
    }
    if (request.op === "resume") {
      await this.suspend.resume(request.clusterId, { ...request.resume, noContinue });
      return;
    }
    const task = await this.store.getTask(request.clusterId, request.type, request.taskId);
    if (!task) return;
    if (request.op === "start") await this.#engine.start(task, { noContinue });
    else await this.#engine.stop(task);
  }

  /** `current`: false once this leadership ended (several servers on one store); then nothing more is started. */
  async #takeOver(current: () => boolean = () => true): Promise<void> {
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
    if (!current()) return;
    if (writes.length > 0) await this.store.batch(writes);
    for (const task of tasks) {
      if (!current()) return;
      if (!task.enabled || task.deleted) continue;
      if (!this.#runners.has(task.type)) {
        this.logger.warn("scheduler: no runner for task type, task not scheduled", { task: task.id, type: task.type });
        continue;
      }
      if (task.id === RESUME_TASK_ID && !this.suspend.isSuspended(task.clusterId)) continue;
      const key = `${task.clusterId}/${task.type}/${task.id}`;
      if (restart.has(key) && this.suspend.isAllowed(task.clusterId, task.type)) void this.#engine.start(task);
      else this.#engine.schedule(task);
    }
  }

  /** Cancels running runs (ABORTED), waits for them to be recorded, stops scheduling. The store stays open. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#syncTimer) clearTimeout(this.#syncTimer);
    if (this.#followTimer) clearTimeout(this.#followTimer);
    await this.#engine.close();
    this.#leading = false;
    await this.#leader?.stop();
  }
}

function specOf(task: Readonly<TaskRecord>) {
  const { enabled, deleted, name, labels, properties, schedule } = task;
  return { enabled, deleted, name, labels, properties, schedule };
}

/** `specOf` as JSON, remembered for frozen records (the store's shared ones, unchanged while the task is). */
const specTexts = new WeakMap<Readonly<TaskRecord>, string>();
function sharedSpecText(task: Readonly<TaskRecord>): string {
  let text = specTexts.get(task);
  if (text === undefined) {
    text = JSON.stringify(specOf(task));
    if (Object.isFrozen(task)) specTexts.set(task, text);
  }
  return text;
}
