/**
 * Wall-clock arithmetic in an IANA timezone ("" = UTC) without a timezone library: instants ↔ wall fields through
 * `Intl.DateTimeFormat` (util/wall-time.ts).
 * @module
 */
import { ValidationError } from "../errors.ts";
import { isKnownTimeZone, readWallTime, type WallTime } from "../util/wall-time.ts";

/** The zone the scheduler means by `timezone`: "" is UTC. */
function zoneOf(timezone: string): string {
  return timezone === "" ? "UTC" : timezone;
}

/** Throws a ValidationError when `timezone` is not a known IANA zone ("" is UTC and always valid). */
export function validateTimezone(timezone: string): void {
  if (timezone === "" || isKnownTimeZone(timezone)) return;
  throw new ValidationError(`unknown time zone ${timezone}`, {
    hint: 'use an IANA time zone name such as "UTC" or "Europe/Warsaw"',
  });
}

/** The wall-clock fields of `instantMs` in `timezone` ("" is UTC). */
export function toWallTime(instantMs: number, timezone: string): WallTime {
  return readWallTime(instantMs, zoneOf(timezone));
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
