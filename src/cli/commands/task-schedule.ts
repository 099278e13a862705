/**
 * The common scheduling flags of task-creating and `update` commands (SM's `pkg/command/flag/flag.go`) and their
 * translation into SM's `schedule`, `enabled`, `name` and `labels` body fields. Flags have no citty defaults so
 * that `update` can tell "not given" from "given": create applies SM's defaults itself.
 * @module
 */

import type { ArgsDef } from "citty";
import { ValidationError } from "../../errors.ts";
import { validateCronSpec } from "../../scheduler/trigger.ts";
import { parseDuration } from "../../util/duration.ts";
import { localZoneName } from "../../util/local-zone.ts";

/** The common scheduling flags. */
export const scheduleArgs = {
  // A cobra bool flag in SM: bare `--enabled` means true, `--enabled=false` disables.
  enabled: {
    type: "boolean",
    description: "Not enabled tasks are not executed and are hidden from the task list. (default true)",
  },
  name: { type: "string", description: "Task name that can be used instead of ID." },
  label: {
    type: "string",
    description: "A comma-separated list of label modifications: key=value to add, key- to remove.",
  },
  cron: { type: "string", description: "Task schedule as a cron expression, or @every <duration>, @daily..." },
  window: {
    type: "string",
    description: "A comma-separated list of time markers in a form [WEEKDAY-]HH:MM, as begin,end pairs.",
  },
  timezone: { type: "string", description: "Timezone of --cron and --window (default: the local zone)." },
  interval: { type: "string", alias: "i", description: "Deprecated: use --cron instead." },
  "start-date": { type: "string", alias: "s", description: "The date: now[+duration] or RFC3339, e.g. now+3d2h10m." },
  "num-retries": {
    type: "string",
    alias: "r",
    description: "Number of times a task reruns following a failure. (default 3)",
  },
  "retry-wait": { type: "string", description: "Initial exponential backoff duration X[h|m|s]. (default 10m)" },
} as const satisfies ArgsDef;

type ScheduleFlagValues = Partial<Record<keyof typeof scheduleArgs, unknown>>;

const str = (value: unknown) => (typeof value === "string" ? value : undefined);

/** `now`, `now+<SM duration>` or RFC3339 → ISO, or undefined for plain `now` (SM sends nothing then). */
function parseStartDate(text: string, now: number): string | undefined {
  const value = text.trim();
  if (value === "now") return undefined;
  if (value.startsWith("now+")) return new Date(now + parseDuration(value.slice(4))).toISOString();
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    throw new ValidationError(`invalid start date "${text}"`, { hint: "use now, now+1h or an RFC3339 date" });
  }
  return new Date(ms).toISOString();
}

/** Applies `--label k=v,k2-` to `labels`. */
function applyLabelFlag(labels: Record<string, string>, flag: string): Record<string, string> {
  const out = { ...labels };
  const added = new Set<string>();
  for (const item of flag
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (item.endsWith("-") && !item.includes("=")) {
      const key = item.slice(0, -1);
      if (added.has(key)) throw new ValidationError(`can't add and remove label "${key}" at the same time`);
      delete out[key];
      continue;
    }
    const parts = item.split("=");
    if (parts.length !== 2 || !parts[0] || parts[1] === undefined) {
      throw new ValidationError(`invalid label "${item}": use key=value to add or key- to remove`);
    }
    out[parts[0]] = parts[1];
    added.add(parts[0]);
  }
  return out;
}

/** Which schedule flags were given. */
export function scheduleFlagsGiven(args: ScheduleFlagValues): boolean {
  return Object.keys(scheduleArgs).some((key) => args[key as keyof typeof scheduleArgs] !== undefined);
}

/**
 * Body fields of the given flags. `create` fills SM's defaults (enabled, 3 retries, 10m, local timezone);
 * for an update pass `existing` and only the given flags change it.
 */
export function buildScheduleFields(
  args: ScheduleFlagValues,
  options: {
    create: boolean;
    now: number;
    existing?: { schedule: Record<string, unknown>; labels: Record<string, string> | null };
  },
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const schedule: Record<string, unknown> = { ...(options.existing?.schedule ?? {}) };
  const cron = str(args.cron);
  if (cron !== undefined) {
    validateCronSpec(cron);
    schedule.cron = cron;
  }
  const window = str(args.window);
  if (window !== undefined)
    schedule.window = window
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  const timezone = str(args.timezone);
  if (timezone !== undefined) schedule.timezone = timezone;
  else if (options.create) schedule.timezone = localZoneName();
  const interval = str(args.interval);
  if (interval !== undefined) schedule.interval = interval;
  const start = str(args["start-date"]);
  if (start !== undefined) schedule.start_date = parseStartDate(start, options.now) ?? null;
  const retries = str(args["num-retries"]);
  if (retries !== undefined) {
    if (!/^\d+$/.test(retries)) throw new ValidationError(`invalid --num-retries "${retries}", expected a number`);
    schedule.num_retries = Number(retries);
  } else if (options.create) schedule.num_retries = 3;
  const wait = str(args["retry-wait"]);
  if (wait !== undefined) {
    parseDuration(wait);
    schedule.retry_wait = wait;
  } else if (options.create) schedule.retry_wait = "10m";
  body.schedule = schedule;
  if (typeof args.enabled === "boolean") body.enabled = args.enabled;
  else if (options.create) body.enabled = true;
  const name = str(args.name);
  if (name !== undefined) body.name = name;
  const label = str(args.label);
  if (label !== undefined) body.labels = applyLabelFlag(options.existing?.labels ?? {}, label);
  return body;
}
