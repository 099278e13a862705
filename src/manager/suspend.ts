/**
 * Cluster suspend/resume (SM's `pkg/service/scheduler/service_suspend.go`): state persisted in the drawer `scheduler_suspended`,
 * healthcheck, suspend and `allow_task_type` tasks keep running; resume reschedules and optionally restarts tasks.
 * @module
 */
import * as v from "valibot";
import { ConflictError, ValidationError } from "../errors.ts";
import type { SchedulerEngine } from "../scheduler/engine.ts";
import { isOneShot, RESUME_TASK_ID } from "../scheduler/model.ts";
import type { Store, TaskRecord } from "../store/store.ts";

/** Drawer key of the suspend state. */
const SUSPEND_DRAWER_KEY = "scheduler_suspended";

/** The persisted suspend state (SM's `suspendInfo`). */
const SuspendInfoSchema = v.object({
  started_at: v.string(),
  pending_tasks: v.array(v.string()),
  pending_tasks_next_activation: v.array(v.string()),
  running_tasks: v.array(v.string()),
  allow_task_type: v.optional(v.string(), ""),
});
export type SuspendInfo = v.InferOutput<typeof SuspendInfoSchema>;

export type SuspendPolicy = "stop_running_tasks" | "fail_if_running_tasks";

export interface SuspendOptions {
  allowTaskType?: string;
  policy?: SuspendPolicy;
  noContinue?: boolean;
}

export interface ResumeOptions {
  startTasks?: boolean;
  startTasksMissedActivation?: boolean;
  noContinue?: boolean;
}

const ALWAYS_ALLOWED = new Set(["healthcheck", "suspend"]);

/**
 * Several servers on one store: a server that does not lead hands suspend/resume to the leader (whose scheduler
 * holds the runs to stop) and waits until the leader has recorded the new state.
 */
export interface SuspendForward {
  isActive(): boolean;
  suspend(clusterId: string, options: SuspendOptions): Promise<void>;
  resume(clusterId: string, options: ResumeOptions): Promise<void>;
  /** How long to wait for the leader to act, ms. Default 15 000. */
  waitMs?: number;
}

/** Suspend state of every cluster, kept in memory and in the store. */
export class SuspendService {
  readonly #store: Store;
  readonly #engine: () => SchedulerEngine;
  readonly #now: () => number;
  readonly #state = new Map<string, SuspendInfo>();
  readonly #onChange: (clusterId: string, suspended: boolean) => void;
  readonly #forward: SuspendForward | undefined;

  constructor(options: {
    store: Store;
    engine: () => SchedulerEngine;
    now: () => number;
    onChange?: (clusterId: string, suspended: boolean) => void;
    forward?: SuspendForward;
  }) {
    this.#store = options.store;
    this.#engine = options.engine;
    this.#now = options.now;
    this.#onChange = options.onChange ?? (() => undefined);
    this.#forward = options.forward;
  }

  /** Loads the persisted state of every cluster (daemon start; other servers refresh with it). */
  async load(): Promise<void> {
    const seen = new Set<string>();
    for (const cluster of await this.#store.listClusters()) {
      seen.add(cluster.id);
      const info = await this.#stored(cluster.id);
      const was = this.#state.has(cluster.id);
      if (info) this.#state.set(cluster.id, info);
      else this.#state.delete(cluster.id);
      if (info || was) this.#onChange(cluster.id, info !== undefined);
    }
    for (const id of [...this.#state.keys()]) {
      if (seen.has(id)) continue;
      this.#state.delete(id);
      this.#onChange(id, false);
    }
  }

  async #stored(clusterId: string): Promise<SuspendInfo | undefined> {
    const parsed = v.safeParse(SuspendInfoSchema, await this.#store.getDrawer(clusterId, SUSPEND_DRAWER_KEY));
    return parsed.success ? parsed.output : undefined;
  }

  /** Follower: waits until the leader recorded the cluster's new state (or the wait ends), then takes it. */
  async #awaitLeader(clusterId: string, suspended: boolean, forward: SuspendForward): Promise<SuspendInfo | undefined> {
    const until = Date.now() + (forward.waitMs ?? 15_000);
    for (;;) {
      const info = await this.#stored(clusterId);
      if ((info !== undefined) === suspended || Date.now() > until) {
        if (info) this.#state.set(clusterId, info);
        else this.#state.delete(clusterId);
        this.#onChange(clusterId, info !== undefined);
        return info;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** The suspend state, or undefined when the cluster runs normally. */
  details(clusterId: string): SuspendInfo | undefined {
    return this.#state.get(clusterId);
  }

  isSuspended(clusterId: string): boolean {
    return this.#state.has(clusterId);
  }

  /** False when the cluster is suspended and `type` may not run. */
  isAllowed(clusterId: string, type: string): boolean {
    const info = this.#state.get(clusterId);
    return !info || ALWAYS_ALLOWED.has(type) || info.allow_task_type === type;
  }

  /** Suspends the cluster; a no-op when already suspended. */
  async suspend(clusterId: string, options: SuspendOptions = {}): Promise<SuspendInfo | undefined> {
    if (this.#state.has(clusterId)) return undefined;
    const allow = options.allowTaskType ?? "";
    if (ALWAYS_ALLOWED.has(allow)) {
      throw new ValidationError(`allow_task_type cannot be "${allow}"`, {
        hint: "healthcheck and suspend tasks always run while suspended; name another type",
      });
    }
    const engine = this.#engine();
    const keep = (type: string) => ALWAYS_ALLOWED.has(type) || type === allow;
    const forward = this.#forward;
    if (forward && !forward.isActive()) {
      // The leader holds the runs: the policy is checked on the store's RUNNING runs, the leader stops them.
      if (options.policy === "fail_if_running_tasks") {
        const runs = (await this.#store.listRunsByStatus("RUNNING")).filter(
          (r) => r.clusterId === clusterId && !keep(r.type),
        );
        if (runs.length > 0) throw runningConflict(runs.map((r) => `${r.type}/${r.taskId}`));
      }
      await forward.suspend(clusterId, options);
      return this.#awaitLeader(clusterId, true, forward);
    }
    const running = engine.runningTasks(clusterId).filter((task) => !keep(task.type));
    if (options.policy === "fail_if_running_tasks" && running.length > 0) {
      throw runningConflict(running.map((task) => `${task.type}/${task.id}`));
    }
    const pending = engine.pendingTasks(clusterId).filter((item) => !keep(item.task.type));
    const info: SuspendInfo = {
      started_at: new Date(this.#now()).toISOString(),
      pending_tasks: pending.map((item) => item.task.id),
      pending_tasks_next_activation: pending.map((item) => new Date(item.at).toISOString()),
      running_tasks: running.map((task) => task.id),
      allow_task_type: allow,
    };
    await this.#store.putDrawer(clusterId, SUSPEND_DRAWER_KEY, info);
    this.#state.set(clusterId, info);
    this.#onChange(clusterId, true);
    await engine.suspendCluster(clusterId, keep, options.noContinue ?? false);
    return info;
  }

  /** Resumes the cluster; a no-op when not suspended. */
  async resume(clusterId: string, options: ResumeOptions = {}): Promise<void> {
    const info = this.#state.get(clusterId);
    if (!info) return;
    const forward = this.#forward;
    if (forward && !forward.isActive()) {
      await forward.resume(clusterId, options);
      await this.#awaitLeader(clusterId, false, forward);
      return;
    }
    await this.#store.deleteDrawer(clusterId, SUSPEND_DRAWER_KEY);
    this.#state.delete(clusterId);
    this.#onChange(clusterId, false);
    const engine = this.#engine();
    const now = this.#now();
    const missed = new Set(
      info.pending_tasks.filter((_, i) => Date.parse(info.pending_tasks_next_activation[i] ?? "") <= now),
    );
    for (const task of await this.#store.listTasks(clusterId)) {
      if (task.id === RESUME_TASK_ID) {
        if (task.enabled) await this.#disableResumeTask(task);
        continue;
      }
      if (!task.enabled || task.deleted) continue;
      if (options.noContinue) engine.markNoContinue(task);
      const neverRunWindowedOneShot =
        isOneShot(task.schedule) && task.schedule.window.length > 0 && task.successCount + task.errorCount === 0;
      const start =
        (options.startTasks && info.running_tasks.includes(task.id)) ||
        (options.startTasksMissedActivation && missed.has(task.id)) ||
        neverRunWindowedOneShot;
      if (start) await engine.start(task);
      else engine.schedule(task);
    }
  }

  async #disableResumeTask(task: TaskRecord): Promise<void> {
    const disabled = { ...task, enabled: false };
    await this.#store.putTask(disabled);
    this.#engine().unschedule(disabled);
  }
}

/** 409 naming the running tasks: sctool prints it as "<message>: can't complete operation because tasks are
 * running" and (as SM's client) drops details on a 409. */
function runningConflict(names: string[]): ConflictError {
  return new ConflictError(`suspend cluster: tasks are running: ${names.join(", ")}`, {
    hint: "stop the tasks first or use the stop_running_tasks policy",
  });
}
