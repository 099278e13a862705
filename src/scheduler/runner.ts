/**
 * The contract between the scheduler and a task type: a Runner executes one run; the scheduler cancels it through
 * `ctx.signal`, whose `reason` is one of the typed errors below (SM's `context.WithCancelCause`), so the reason a
 * run ended is never lost.
 * @module
 */
import type { Logger } from "../util/log.ts";

/** Cancel reason: the user stopped the task (`/stop`). Run ends STOPPED, cause "task was stopped"; no retry. */
export class TaskStoppedError extends Error {
  constructor() {
    super("task was stopped");
    this.name = "TaskStoppedError";
  }
}

/** Cancel reason: the maintenance window slot ended. Run ends WAITING and continues at the next slot begin. */
export class OutOfWindowError extends Error {
  constructor() {
    super("task got out of --window");
    this.name = "OutOfWindowError";
  }
}

/** Cancel reason: the manager is shutting down. Run ends ABORTED. */
export class SchedulerClosedError extends Error {
  constructor() {
    super("scheduler and all tasks were stopped");
    this.name = "SchedulerClosedError";
  }
}

/** Cancel reason: the cluster was suspended. Run ends STOPPED with SM's cause text. */
export class SchedulerSuspendedError extends Error {
  constructor() {
    super("scheduler and all tasks were stopped");
    this.name = "SchedulerSuspendedError";
  }
}

/** Thrown by a runner for an error that retrying cannot fix (SM's `retry.Permanent`): the run ends ERROR, no retry. */
export class PermanentRunError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PermanentRunError";
  }
}

/** Every typed reason `RunContext.signal` may be aborted with. */
export type RunCancelReason = TaskStoppedError | OutOfWindowError | SchedulerClosedError | SchedulerSuspendedError;

/** What a runner gets for one run. */
export interface RunContext {
  clusterId: string;
  taskId: string;
  /** Time UUID of this run. */
  runId: string;
  type: string;
  /** The task's properties snapshot for this run (retries reuse it); may carry an injected `"continue": false`. */
  properties: unknown;
  /** Retry number: 0 for a scheduled or manual run, n for the n-th retry. */
  retry: number;
  /** Aborted with a {@link RunCancelReason}. Long loops call `signal.throwIfAborted()`. */
  signal: AbortSignal;
  logger: Logger;
}

/** One task type's executor (SM's `scheduler.Runner`). */
export interface Runner {
  /** Executes one run. Resolve = DONE; throw = ERROR (retried unless {@link PermanentRunError}). */
  run(ctx: RunContext): Promise<void>;
  /**
   * Validates (and may normalise) properties when a task is created or updated. Throw a ValidationError for bad input;
   * the returned value is what gets stored. Absent = properties accepted as given.
   */
  validateProperties?(clusterId: string, properties: unknown): Promise<unknown> | unknown;
  /** The type's "dry run" target (`GET /tasks/{type}/target`); absent ⇒ 400 for that type. */
  getTarget?(clusterId: string, properties: unknown): Promise<unknown>;
  /**
   * The type-specific `progress` of a run (`GET /task/{type}/{id}/{run}`). `runId` undefined ⇒ the synthetic NEW run:
   * return the zero-valued progress. Return `null` when no progress rows exist.
   */
  getProgress?(clusterId: string, taskId: string, runId: string | undefined): Promise<unknown>;
}
