/**
 * Size strings of the `--schema` spec: plain bytes or `<n><unit>` with binary (KiB, MiB, GiB, TiB) or decimal
 * (KB, MB, GB, TB) units; `B` and bare numbers are bytes.
 * @module
 */

const UNITS: Record<string, number> = {
  b: 1,
  "": 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1000 ** 4,
  tib: 1024 ** 4,
};

/** Parses a size (`1048576`, `"64MiB"`, `"1.5GB"`); throws naming the bad value. */
export function parseSize(value: number | string): number {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0) throw new Error(`size must be a non-negative number, got ${value}`);
    return Math.round(value);
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
  const unit = UNITS[(match?.[2] ?? "").toLowerCase()];
  if (match === null || unit === undefined) {
    throw new Error(`invalid size "${value}": use bytes or a number with a unit such as 64MiB, 2GiB, 500MB`);
  }
  return Math.round(Number(match[1]) * unit);
}
