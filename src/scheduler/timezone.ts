/**
 * Wall-clock arithmetic in an IANA timezone ("" = UTC) without a timezone library: instants ↔ wall fields through
 * `Intl.DateTimeFormat`, with formatters cached per zone.
 * @module
 */
import { ValidationError } from "../errors.ts";

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

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function formatterOf(timezone: string): Intl.DateTimeFormat {
  const zone = timezone === "" ? "UTC" : timezone;
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      weekday: "short",
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** Throws a ValidationError when `timezone` is not a known IANA zone ("" is UTC and always valid). */
export function validateTimezone(timezone: string): void {
  if (timezone === "") return;
  try {
    formatterOf(timezone);
  } catch {
    throw new ValidationError(`unknown time zone ${timezone}`, {
      hint: 'use an IANA time zone name such as "UTC" or "Europe/Warsaw"',
    });
  }
}

/** The wall-clock fields of `instantMs` in `timezone`. */
export function toWallTime(instantMs: number, timezone: string): WallTime {
  const parts: Record<string, string> = {};
  for (const part of formatterOf(timezone).formatToParts(new Date(instantMs))) parts[part.type] = part.value;
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

function offsetAt(instantMs: number, timezone: string): number {
  const wall = toWallTime(instantMs, timezone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return asUtc - Math.floor(instantMs / 1000) * 1000;
}

/**
 * The instant of a wall-clock time in `timezone` (fields may overflow, as Date.UTC allows). In a DST gap the time
 * after the gap is returned; in an overlap, the earlier instant.
 */
export function fromWallTime(
  timezone: string,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second = 0,
): number {
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  const first = asUtc - offsetAt(asUtc, timezone);
  const second2 = asUtc - offsetAt(first, timezone);
  if (second2 === first) {
    // Overlap: prefer the earlier of the two candidate instants.
    const earlier = asUtc - offsetAt(first - 3_600_000, timezone);
    if (earlier < first && offsetAt(earlier, timezone) === asUtc - earlier) return earlier;
    return first;
  }
  // Gap: the wall time does not exist; take the later offset, which lands after the gap.
  return Math.max(first, second2);
}
