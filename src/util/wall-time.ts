/**
 * Wall-clock fields of an instant in an IANA time zone, read through `Intl.DateTimeFormat` (no time zone library).
 * Shared by the scheduler (cron/window arithmetic) and sctool's time cells.
 * @module
 */

/** Wall-clock fields of an instant in a zone. `weekday`: 0 = Sunday (Go's time.Weekday). */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function createFormatter(timeZone: string | undefined): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
    weekday: "short",
  });
}

/**
 * The formatter of `timeZone` (undefined: the process's local zone). Named zones are cached; the local one is not,
 * because the local zone follows `TZ`, which may change while the process runs. Throws a RangeError for an unknown
 * zone.
 */
function formatterOf(timeZone: string | undefined): Intl.DateTimeFormat {
  if (timeZone === undefined) return createFormatter(undefined);
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = createFormatter(timeZone);
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Whether `timeZone` is an IANA zone name the runtime knows. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatterOf(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock fields of `instant` (a Date or ms since the epoch) in `timeZone` (undefined: local). */
export function readWallTime(instant: Date | number, timeZone: string | undefined): WallTime {
  const parts: Record<string, string> = {};
  const date = typeof instant === "number" ? new Date(instant) : instant;
  for (const part of formatterOf(timeZone).formatToParts(date)) parts[part.type] = part.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS[parts.weekday ?? "Sun"] ?? 0,
  };
}

/** `value` as at least two digits (`7` → `07`). */
export function padTwo(value: number): string {
  return String(value).padStart(2, "0");
}
