import { ValidationError } from "../errors.ts";

/**
 * SM durations: units `d`, `h`, `m`, `s` only (no ms/us), e.g. `7d`, `1d2h`, `10m`, `30s`.
 * Zero renders as "" (SM's output for an unset duration).
 */

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 } as const;
type Unit = keyof typeof UNIT_MS;
const PART = /(\d+)([dhms])/g;
const WHOLE = /^(\d+[dhms])+$/;

/** Parses an SM duration into milliseconds. Throws ValidationError naming the value and the accepted units. */
export function parseDuration(text: string): number {
  const value = text.trim();
  if (value === "" || value === "0") return 0;
  if (!WHOLE.test(value)) {
    throw new ValidationError(`invalid duration "${text}"`, {
      hint: "use whole numbers with units d, h, m, s, for example 10m, 1d2h or 30s (ms and us are not supported)",
    });
  }
  let ms = 0;
  for (const match of value.matchAll(PART)) {
    ms += Number(match[1]) * UNIT_MS[match[2] as Unit];
  }
  return ms;
}

/** Renders milliseconds as an SM duration (`1d2h`, `10m`); sub-second remainders are dropped; 0 → "". */
export function formatDuration(ms: number): string {
  let rest = Math.floor(Math.max(0, ms) / 1000) * 1000;
  if (rest === 0) return "";
  let out = "";
  for (const unit of ["d", "h", "m", "s"] as const) {
    const count = Math.floor(rest / UNIT_MS[unit]);
    if (count > 0) {
      out += `${count}${unit}`;
      rest -= count * UNIT_MS[unit];
    }
  }
  return out;
}

/** Renders milliseconds like Go's time.Duration truncated to seconds: `1h0m0s`, `2m1s`, `0s`. Used by sctool tables. */
export function formatGoDuration(ms: number): string {
  const total = Math.floor(Math.max(0, ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}
