// Formatting of sizes, durations, dates and rates as sctool prints them, and the ETA estimate.

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

/** 1536 -> "1.500KiB" style, as sctool (3 decimals above bytes). */
export function bytes(n) {
  if (!Number.isFinite(n)) return "-";
  let value = n;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value}B` : `${value.toFixed(3)}${UNITS[unit]}`;
}

/** Seconds -> "1d2h3m4s" (SM's duration style; 0 -> "0s"). */
export function duration(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return "-";
  let s = Math.round(seconds);
  if (s === 0) return "0s";
  const parts = [];
  for (const [unit, size] of [
    ["d", 86400],
    ["h", 3600],
    ["m", 60],
    ["s", 1],
  ]) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
  }
  return parts.join("");
}

/** A timestamp that is null, empty or Go's zero time means "never". */
export function isSet(value) {
  return typeof value === "string" && value !== "" && !value.startsWith("0001-01-01");
}

/** "03 Dec 26 10:20:31 UTC"-ish in the browser's locale and zone; "-" when unset. */
export function date(value) {
  if (!isSet(value)) return "-";
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

/** "in 3m" / "5s ago" relative to now. */
export function relative(value, now = Date.now()) {
  if (!isSet(value)) return "";
  const seconds = (new Date(value).getTime() - now) / 1000;
  if (!Number.isFinite(seconds)) return "";
  return seconds >= 0 ? `in ${duration(seconds)}` : `${duration(-seconds)} ago`;
}

/** Seconds between two timestamps (end defaults to now). */
export function elapsed(start, end, now = Date.now()) {
  if (!isSet(start)) return Number.NaN;
  const stop = isSet(end) ? new Date(end).getTime() : now;
  return Math.max(0, (stop - new Date(start).getTime()) / 1000);
}

export const percent = (done, total) => (total > 0 ? (100 * done) / total : 0);
export const pct = (value) => (Number.isFinite(value) ? `${Math.floor(value)}%` : "-");

/**
 * Seconds left at the mean rate since the start (the rule of the server's estimator): undefined while nothing is
 * done yet, 0 when complete.
 */
export function eta(startedAt, done, total, now = Date.now()) {
  if (!(total > 0) || done >= total) return 0;
  const spent = elapsed(startedAt, null, now);
  if (!(done > 0) || !(spent > 0)) return undefined;
  return Math.ceil(((total - done) * spent) / done);
}

/** SM serialises cron as a JSON string `{"spec": ..., "start_date": ...}`; either form gives the spec. */
export function cronSpec(cron) {
  if (!cron) return "";
  if (typeof cron === "object") return cron.spec || "";
  try {
    const parsed = JSON.parse(cron);
    return typeof parsed === "object" && parsed ? parsed.spec || "" : String(cron);
  } catch {
    return String(cron);
  }
}

/** What a schedule says in one line: cron spec, or the legacy interval, or a one-shot start. */
export function schedule(s = {}) {
  const spec = cronSpec(s.cron);
  if (spec) return spec;
  if (s.interval) return `every ${s.interval}`;
  return "";
}

/** Badge kind for SM's task and run statuses. */
export function statusKind(status) {
  switch (status) {
    case "DONE":
    case "UP":
    case "UN":
      return "ok";
    case "ERROR":
    case "ABORTED":
    case "DOWN":
    case "DN":
    case "TIMEOUT":
    case "UNAUTHORIZED":
      return "bad";
    case "RUNNING":
    case "STOPPING":
      return "run";
    case "STOPPED":
    case "WAITING":
      return "warn";
    default:
      return status?.startsWith("HTTP") ? "bad" : "";
  }
}

/** `2025.1.0-0.20250101.abc` -> `2025.1.0` (the numeric part, at least 3 segments), as sctool shows versions. */
export function shortVersion(version) {
  const m = /^v?([0-9]+(?:\.[0-9]+)*)(?:[-+~].*)?$/.exec(version || "");
  if (!m) return version || "-";
  const parts = m[1].split(".").map((p) => String(Number.parseInt(p, 10)));
  while (parts.length < 3) parts.push("0");
  return parts.join(".");
}
