/**
 * Value formats of SM's agent commands: rclone's `fs.SizeSuffix` (`925.814k`, `2G`), Go's `time.Duration` string
 * (`1.5s`, `12.345ms`, `1m2.5s`) and Go's `time.Time` string in UTC (`2021-02-15 15:19:54 +0000 UTC`).
 * @module
 */

const SUFFIXES = ["", "k", "M", "G", "T", "P"] as const;

/**
 * rclone's `SizeSuffix.String()`: bytes scaled to the largest binary unit below them, suffixes `k M G T P`, an
 * integer when exact, else three decimals rounded as Go's `%.3f` (exact ties go to the even digit); "0" for 0,
 * "off" below 0.
 * @example formatSizeSuffix(948_034) // "925.814k"
 */
export function formatSizeSuffix(bytes: number): string {
  if (bytes < 0) return "off";
  if (bytes === 0) return "0";
  const x = BigInt(Math.trunc(bytes));
  let shift = 0n;
  let unit = 0;
  while (unit < SUFFIXES.length - 1 && x >= 1n << (shift + 10n)) {
    shift += 10n;
    unit++;
  }
  const divisor = 1n << shift;
  const suffix = SUFFIXES[unit] as string;
  if (x % divisor === 0n) return `${x / divisor}${suffix}`;
  // Round x * 1000 / divisor to an integer, half to even (the quotient is exact, so ties are real ties).
  const n = x * 1000n;
  let q = n / divisor;
  const r2 = (n % divisor) * 2n;
  if (r2 > divisor || (r2 === divisor && q % 2n === 1n)) q += 1n;
  const whole = q / 1000n;
  const frac = (q % 1000n).toString().padStart(3, "0");
  return `${whole}.${frac}${suffix}`;
}

/**
 * Go's `time.Duration.String()` of a duration in nanoseconds: `0s`, `850ns`, `1.5µs`, `12.345ms`, `1.000000001s`,
 * `1m2.5s`, `2h0m0s`.
 */
export function formatGoDurationNs(ns: bigint): string {
  if (ns === 0n) return "0s";
  const negative = ns < 0n;
  let u = negative ? -ns : ns;
  const sign = negative ? "-" : "";
  if (u < 1_000_000_000n) {
    if (u < 1000n) return `${sign}${u}ns`;
    if (u < 1_000_000n) return `${sign}${fraction(u, 1000n)}µs`;
    return `${sign}${fraction(u, 1_000_000n)}ms`;
  }
  const seconds = fraction(u % 60_000_000_000n, 1_000_000_000n);
  u /= 60_000_000_000n;
  if (u === 0n) return `${sign}${seconds}s`;
  const minutes = u % 60n;
  const hours = u / 60n;
  return hours === 0n ? `${sign}${minutes}m${seconds}s` : `${sign}${hours}h${minutes}m${seconds}s`;
}

/** `value / unit` with the fractional digits Go prints (trailing zeros dropped). */
function fraction(value: bigint, unit: bigint): string {
  const whole = value / unit;
  const rest = value % unit;
  if (rest === 0n) return `${whole}`;
  const digits = unit.toString().length - 1;
  return `${whole}.${rest.toString().padStart(digits, "0").replace(/0+$/, "")}`;
}

/** Milliseconds (fractional) as nanoseconds for formatGoDurationNs. */
export function msToNs(ms: number): bigint {
  return BigInt(Math.round(ms * 1_000_000));
}

/** Go's `time.Time.String()` of a UTC time at second precision: `2006-01-02 15:04:05 +0000 UTC`. */
export function formatGoUtcTime(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace("T", " ")} +0000 UTC`;
}
