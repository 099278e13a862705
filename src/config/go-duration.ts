/**
 * Config durations. SM's YAML config is decoded into Go `time.Duration`, so it takes Go's syntax (`50ms`, `1h30m`,
 * `1.5s`), which `src/util/duration.ts` (the API/CLI `d h m s` syntax) rejects: `repair.poll_interval` defaults to
 * `50ms`. We accept Go's units plus SM's `d` (a superset, so every SM config still parses).
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

/** Parses a Go-style duration (`1h30m`, `50ms`, `0`) into milliseconds; `undefined` when the text is not one. */
export function parseConfigDuration(text: string): number | undefined {
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
    ms += Number(match[1]) * (UNIT_MS[match[2] ?? ""] ?? Number.NaN);
    consumed = PART.lastIndex;
  }
  if (consumed !== rest.length || consumed === 0 || Number.isNaN(ms)) return undefined;
  return sign * ms;
}
