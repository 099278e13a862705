/**
 * Pure planning of the scheduler: a task's next activation (first, by trigger, after a run) and how a run's end
 * maps to a status and cause. No I/O, no clock: `now` is an argument.
 * @module
 */
import { errorMessage } from "../errors.ts";
import type { TaskRecord, TaskStatus } from "../store/store.ts";
import { isOneShot, toTriggerSpec } from "./model.ts";
import { computeRetryDelay } from "./retry.ts";
import {
  OutOfWindowError,
  type RunCancelReason,
  SchedulerClosedError,
  SchedulerSuspendedError,
  TaskStoppedError,
} from "./runner.ts";
import { createTrigger } from "./trigger.ts";
import { locateInWindow, parseWindow } from "./window.ts";

/** Cause written on runs ended by shutdown, suspend or a crash. */
export const CLOSED_CAUSE = "scheduler and all tasks were stopped";
/** Cause of a run refused by the exclusivity policy. */
export const EXCLUSIVE_CAUSE = "another task is running";

/** A pending activation. */
export interface Activation {
  /** ms; when it fires. */
  at: number;
  /** ms; the trigger time it stands for (the next trigger activation is computed from it). */
  initial: number;
  retry: number;
  /** Properties snapshot (retries and window continuations reuse it). */
  properties?: unknown;
}

/**
 * The next activation by the task's trigger after `from`. A time already past becomes `now`: missed activations
 * collapse into one catch-up run, which counts as activated now. `fresh` (first scheduling): a never-run one-shot
 * runs at max(start_date, now). Throws a ValidationError for a bad schedule.
 */
export function planTriggerActivation(task: TaskRecord, from: number, now: number, fresh: boolean): Activation | null {
  const spec = toTriggerSpec(task.schedule);
  let at: number;
  if (fresh && isOneShot(task.schedule) && task.successCount + task.errorCount === 0 && task.status === "NEW") {
    at = Math.max(spec.startDateMs ?? now, now);
  } else {
    const next = createTrigger(spec).next(from);
    if (next === null) return null;
    at = Math.max(next, now);
  }
  return { at: fitIntoWindow(task, at), initial: at, retry: 0 };
}

/** `at`, or the next window slot begin when `at` falls outside the task's window (SM's next activation shows it). */
function fitIntoWindow(task: TaskRecord, at: number): number {
  const position = locateInWindow(parseWindow(task.schedule.window), at, task.schedule.timezone);
  return position.inside ? at : position.nextBegin;
}

/** What follows a run that ended with `status`: a window continuation, a retry, or "use the trigger". */
export function planAfterRun(
  task: TaskRecord,
  activation: Activation,
  properties: unknown,
  status: TaskStatus,
  retryable: boolean,
  now: number,
): Activation | "trigger" {
  if (status === "WAITING") {
    const position = locateInWindow(parseWindow(task.schedule.window), now + 1000, task.schedule.timezone);
    return { ...activation, at: position.inside ? now : position.nextBegin, properties };
  }
  if (status === "ERROR" && retryable && activation.retry < task.schedule.numRetries && task.enabled) {
    const retry = activation.retry + 1;
    const at = now + computeRetryDelay(retry, task.schedule.retryWaitSeconds * 1000);
    return { at, initial: activation.initial, retry, properties };
  }
  return "trigger";
}

/** Maps how a run ended (the runner's error and the signal's reason) to its status and cause. */
export function describeOutcome(error: unknown, signal: AbortSignal): { status: TaskStatus; cause: string } {
  if (error === undefined) return { status: "DONE", cause: "" };
  if (signal.aborted) {
    const reason = signal.reason as RunCancelReason;
    if (reason instanceof TaskStoppedError) return { status: "STOPPED", cause: reason.message };
    if (reason instanceof OutOfWindowError) return { status: "WAITING", cause: reason.message };
    if (reason instanceof SchedulerSuspendedError) return { status: "STOPPED", cause: CLOSED_CAUSE };
    if (reason instanceof SchedulerClosedError) return { status: "ABORTED", cause: CLOSED_CAUSE };
  }
  return { status: "ERROR", cause: errorMessage(error) };
}
