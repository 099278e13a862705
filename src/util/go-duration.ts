/**
 * Go `time.Duration` syntax (`50ms`, `1h30m`, `1.5s`), which `duration.ts` (SM's API/CLI `d h m s` syntax) rejects.
 * Used by SM's YAML config (`repair.poll_interval` defaults to `50ms`; there we also accept SM's `d`, a superset, so
 * every SM config still parses) and by cron's `@every <duration>` (Go's units only, as robfig/cron).
 */

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d)/gy;

export interface GoDurationOptions {
  /** Also accept `d` (days), as SM's config does. Default false (Go's own units only). */
  days?: boolean;
}

/** Parses a Go-style duration (`1h30m`, `50ms`, `0`) into milliseconds; `undefined` when the text is not one. */
export function parseGoDuration(text: string, options: GoDurationOptions = {}): number | undefined {
  const value = text.trim();
  if (value === "0") return 0;
  if (value === "") return undefined;
  let sign = 1;
  let rest = value;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    sign = rest.startsWith("-") ? -1 : 1;
    rest = rest.slice(1);
  }
  PART.lastIndex = 0;
  let ms = 0;
  let consumed = 0;
  for (let match = PART.exec(rest); match !== null; match = PART.exec(rest)) {
    const unit = match[2] ?? "";
    if (unit === "d" && options.days !== true) return undefined;
    ms += Number(match[1]) * (UNIT_MS[unit] ?? Number.NaN);
    consumed = PART.lastIndex;
  }
  if (consumed !== rest.length || consumed === 0 || Number.isNaN(ms)) return undefined;
  return sign * ms;
}
