/**
 * sctool's value formatting (SM's `v3/pkg/managerclient/model.go` and `utils.go`): times, sizes, durations, versions.
 * @module
 */
import { formatGoDuration } from "../../util/duration.ts";
import { readWallTime, padTwo as two } from "../../util/wall-time.ts";

export { formatGoDuration as formatDuration };

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * The zone abbreviation Go prints for `MST`. ICU names most zones `GMT+1`-style where tzdata has an abbreviation
 * (`CET`); Go prints tzdata's abbreviation when it has one, else a numeric `+03`. We print ICU's name when it is
 * alphabetic (UTC, EST, PDT, …) and Go's numeric form otherwise.
 */
function zoneName(date: Date, timeZone: string | undefined): string {
  const name =
    new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "short" })
      .formatToParts(date)
      .find((part) => part.type === "timeZoneName")?.value ?? "UTC";
  if (/^[A-Z]{2,5}$/.test(name)) return name;
  const offset = /^GMT([+-])(\d{1,2})(?::(\d\d))?$/.exec(name);
  if (!offset) return name === "GMT" ? "GMT" : name;
  return `${offset[1]}${two(Number(offset[2]))}${offset[3] && offset[3] !== "00" ? offset[3] : ""}`;
}

/**
 * `02 Jan 06 15:04:05 MST` in the local zone (or `timeZone`). Empty, zero (`0001-01-01…`) and invalid times give "".
 */
export function formatTime(value: Date | string | undefined | null, timeZone?: string): string {
  if (value === undefined || value === null || value === "") return "";
  const date = typeof value === "string" ? new Date(value) : value;
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() <= 1) return "";
  const p = readWallTime(date, timeZone);
  const month = MONTHS[p.month - 1] ?? "";
  return `${two(p.day)} ${month} ${two(p.year % 100)} ${two(p.hour)}:${two(p.minute)}:${two(p.second)} ${zoneName(date, timeZone)}`;
}

/** `2006-01-02 15:04:05` in the local zone (or `timeZone`). */
export function formatPlainTime(value: Date | string, timeZone?: string): string {
  const p = readWallTime(typeof value === "string" ? new Date(value) : value, timeZone);
  return `${p.year}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)}:${two(p.second)}`;
}

const SIZE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

/** Bytes in binary units: an integer when whole, else `%.3f` (`0B`, `512B`, `1KiB`, `1.500GiB`). */
export function formatSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < SIZE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = Number.isInteger(value) ? String(value) : value.toFixed(3);
  return `${text}${SIZE_UNITS[unit]}`;
}

/** The numeric part of a version (`2025.1.0-0.20250101.abc` → `2025.1.0`); "" gives "-", a non-numeric version is kept. */
export function formatVersion(version: string | undefined): string {
  const match = /^\d+(?:\.\d+)*/.exec(version ?? "");
  return match ? match[0] : version || "-";
}
