/**
 * Token range arithmetic for repair: Scylla's `ranges` parameter (`start:end,...`, each `(start, end]`, wrap-around
 * ranges unwrapped into two), ring fractions, and interval unions for coverage checks.
 * @module
 */
import { RestError } from "../rest/rest-error.ts";
import { MAX_TOKEN, MIN_TOKEN } from "../topology/tablets.ts";

/** A non-wrapping range `(start, end]` of int64 tokens. */
export interface TokenInterval {
  start: bigint;
  end: bigint;
}

const RING = 2n ** 64n;
const INT = /^-?\d+$/;

function parseToken(text: string): bigint {
  const value = INT.test(text) ? BigInt(text) : undefined;
  if (value === undefined || value < MIN_TOKEN || value > MAX_TOKEN) {
    // Scylla parses tokens with boost::lexical_cast<int64_t>; this is its message on bad input.
    throw new RestError(500, "bad lexical cast: source type value could not be interpreted as target");
  }
  return value;
}

/** Splits a wrapping range `(start, end]` with start >= end into `(start, MAX]` and `(MIN, end]`. */
export function unwrap(start: bigint, end: bigint): TokenInterval[] {
  if (start < end) return [{ start, end }];
  const out: TokenInterval[] = [];
  if (start < MAX_TOKEN) out.push({ start, end: MAX_TOKEN });
  if (end > MIN_TOKEN) out.push({ start: MIN_TOKEN, end });
  return out;
}

/**
 * Parses the `ranges` option the way Scylla's repair_options does: comma-separated `start:end`, exactly two
 * components per range, wrap-around ranges accepted and unwrapped.
 */
export function parseRanges(text: string): TokenInterval[] {
  const out: TokenInterval[] = [];
  for (const range of text.split(",")) {
    const parts = range.split(":");
    if (parts.length !== 2) {
      throw new RestError(500, `range must have two components separated by ':', got '${range}'`);
    }
    out.push(...unwrap(parseToken(parts[0] ?? ""), parseToken(parts[1] ?? "")));
  }
  return out;
}

/** Fraction of the ring an interval covers. */
export function ringFraction(interval: TokenInterval): number {
  return Number(interval.end - interval.start) / Number(RING);
}

/** Union of intervals, sorted and merged (touching intervals merge). */
export function mergeIntervals(intervals: readonly TokenInterval[]): TokenInterval[] {
  const sorted = [...intervals].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: TokenInterval[] = [];
  for (const i of sorted) {
    const last = out.at(-1);
    if (last !== undefined && i.start <= last.end) {
      if (i.end > last.end) last.end = i.end;
    } else out.push({ ...i });
  }
  return out;
}

/** Whether `inner` lies inside one of the merged intervals. */
export function isCovered(inner: TokenInterval, merged: readonly TokenInterval[]): boolean {
  return merged.some((m) => m.start <= inner.start && inner.end <= m.end);
}

/** Whether two intervals overlap (share at least one token). */
export function overlaps(a: TokenInterval, b: TokenInterval): boolean {
  return a.start < b.end && b.start < a.end;
}

/** The whole ring as one interval. */
export const FULL_RING: TokenInterval = { start: MIN_TOKEN, end: MAX_TOKEN };
