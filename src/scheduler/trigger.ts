/**
 * Triggers: when a task's next activation is. SM's cron syntax (optional seconds field, `@yearly` … `@hourly`,
 * `@every <go duration>`) on top of croner, evaluated in the schedule's timezone, bounded by `start_date`; the legacy
 * `interval` (start_date + k·interval; 0 ⇒ one-shot at start_date).
 * @module
 */
import { Cron } from "croner";
import { ValidationError } from "../errors.ts";
import { parseGoDuration } from "../util/go-duration.ts";
import { checkDurationMs } from "../util/input-limits.ts";
import { validateTimezone } from "./timezone.ts";

/** The schedule fields a trigger reads (times in ms since the epoch). */
export interface TriggerSpec {
  cron: string;
  /** ms; null = none. */
  startDateMs: number | null;
  intervalMs: number;
  timezone: string;
}

/** Computes activations. */
export interface Trigger {
  /** The first activation strictly after `afterMs`, or null when there is none. */
  next(afterMs: number): number | null;
}

/** robfig/cron's descriptors as 6-field (seconds first) specs. */
export const CRON_DESCRIPTORS: Readonly<Record<string, string>> = {
  "@yearly": "0 0 0 1 1 *",
  "@annually": "0 0 0 1 1 *",
  "@monthly": "0 0 0 1 * *",
  "@weekly": "0 0 0 * * 0",
  "@daily": "0 0 0 * * *",
  "@midnight": "0 0 0 * * *",
  "@hourly": "0 0 * * * *",
};

/** Parses `@every`'s Go duration (`1h30m`, `15s`, `1.5h`) to ms, as robfig/cron does. */
function parseEveryDuration(text: string): number {
  const ms = parseGoDuration(text);
  if (ms === undefined) {
    throw new ValidationError(`invalid duration "${text}"`, { hint: "use a duration such as 15s, 10m or 1h30m" });
  }
  return ms;
}

function createCron(spec: string, timezone: string): Cron {
  const pattern = CRON_DESCRIPTORS[spec.toLowerCase()] ?? spec;
  try {
    return new Cron(pattern, { paused: true, timezone: timezone === "" ? "UTC" : timezone, mode: "5-or-6-parts" });
  } catch (error) {
    throw new ValidationError(`invalid cron spec "${spec}": ${(error as Error).message}`, {
      hint: 'use "[sec] min hour dom month dow", a descriptor such as @daily, or "@every 1h"',
    });
  }
}

/** Throws a ValidationError when `spec` is not a valid SM cron spec. */
export function validateCronSpec(spec: string): void {
  if (spec.trim() === "") return;
  const trimmed = spec.trim();
  if (trimmed.startsWith("@every")) {
    const ms = parseEveryDuration(trimmed.slice("@every".length));
    if (ms <= 0) throw new ValidationError(`invalid cron spec "${spec}": @every needs a positive duration`);
    // robfig/cron would silently round a sub-second delay up to 1 s; say so instead of storing "1ns".
    if (ms < 1000) {
      throw new ValidationError(`invalid cron spec "${spec.slice(0, 64)}": @every needs at least 1s`, {
        hint: "use a duration such as 15s, 10m or 1h30m",
      });
    }
    checkDurationMs("schedule.cron @every", ms);
    return;
  }
  createCron(trimmed, "");
}

/** Builds the trigger of a schedule; throws a ValidationError for a bad cron spec or timezone. */
export function createTrigger(spec: TriggerSpec): Trigger {
  validateTimezone(spec.timezone);
  const start = spec.startDateMs;
  const cron = spec.cron.trim();
  if (cron.startsWith("@every")) {
    // robfig's ConstantDelaySchedule: at least 1 s, whole seconds, counted from the given time truncated to seconds.
    const every = Math.max(1000, Math.floor(parseEveryDuration(cron.slice("@every".length)) / 1000) * 1000);
    return {
      next(afterMs) {
        const from = Math.max(afterMs, start ?? afterMs);
        return Math.floor(from / 1000) * 1000 + every;
      },
    };
  }
  if (cron !== "") {
    const job = createCron(cron, spec.timezone);
    return {
      next(afterMs) {
        const from = Math.max(afterMs, start ?? afterMs);
        return job.nextRun(new Date(from))?.getTime() ?? null;
      },
    };
  }
  if (start === null) return { next: () => null };
  if (spec.intervalMs <= 0) {
    return { next: (afterMs) => (start > afterMs ? start : null) };
  }
  const interval = spec.intervalMs;
  return {
    next(afterMs) {
      if (start > afterMs) return start;
      const k = Math.floor((afterMs - start) / interval) + 1;
      return start + k * interval;
    },
  };
}
