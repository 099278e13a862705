import { Transform, type TransformCallback } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";

const UNITS: Record<string, number> = { B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4, P: 1024 ** 5 };

/**
 * Parses an rclone bandwidth rate as `core/bwlimit` and SM's `bandwidth_rate` send it: `"100M"` = 100 MiB/s,
 * suffixes B/K/M/G/T/P (binary), a bare number means KiB/s (rclone's default unit), `"off"`, `""`, `"0"` and
 * `"0M"` mean unlimited. Returns bytes per second (0 = unlimited).
 */
export function parseRate(rate: string): number {
  const text = rate.trim();
  if (text === "" || text.toLowerCase() === "off") return 0;
  const match = /^(\d+(?:\.\d+)?)([bkmgtp])?i?b?$/i.exec(text);
  if (match === null) {
    throw new RangeError(
      `invalid bandwidth rate ${JSON.stringify(rate)}: use a number with a unit, e.g. "100M", or "off"`,
    );
  }
  const unit = (match[2] ?? "K").toUpperCase();
  return Math.round(Number(match[1]) * (UNITS[unit] ?? 1024));
}

/** Formats bytes per second as rclone's SizeSuffix does (`"100M"`, `"512k"`, `"1.5G"`); 0 → "off". */
export function formatRate(bytesPerSecond: number): string {
  if (bytesPerSecond <= 0) return "off";
  for (const unit of ["P", "T", "G", "M", "K"]) {
    const size = UNITS[unit]!;
    if (bytesPerSecond >= size) {
      const value = Math.round((bytesPerSecond / size) * 1000) / 1000;
      return `${value}${unit === "K" ? "k" : unit}`;
    }
  }
  return `${bytesPerSecond}B`;
}

/**
 * The `core/bwlimit` answer: `rate` as in SM's swagger (`Bandwidth`), plus rclone's byte counts
 * (-1 = unlimited).
 */
export function describeRate(limiter: BandwidthLimiter): {
  rate: string;
  bytesPerSecond: number;
  bytesPerSecondTx: number;
  bytesPerSecondRx: number;
} {
  const bytes = limiter.rate > 0 ? limiter.rate : -1;
  return { rate: formatRate(limiter.rate), bytesPerSecond: bytes, bytesPerSecondTx: bytes, bytesPerSecondRx: bytes };
}

/** How much the bucket may run ahead of the rate, in seconds: small so short windows stay within ~10 %. */
const BURST_SECONDS = 0.05;

/**
 * One token bucket shared by every transfer of the agent (rclone's `--bwlimit` is global too).
 * Implemented as GCRA (a virtual "next free" time): reservations are synchronous, so concurrent streams
 * cannot overdraw it and no queue is needed; each caller sleeps until its own bytes are due.
 */
export class BandwidthLimiter {
  #rate: number;
  /** Theoretical arrival time of the next byte, in ms (performance.now clock). */
  #nextFree = 0;

  constructor(bytesPerSecond = 0) {
    this.#rate = bytesPerSecond;
  }

  /** Bytes per second; 0 = unlimited. */
  get rate(): number {
    return this.#rate;
  }

  /** Changes the rate for every transfer from now on; 0 turns the limit off. */
  setRate(bytesPerSecond: number): void {
    if (!Number.isFinite(bytesPerSecond) || bytesPerSecond < 0) throw new RangeError("bandwidth rate must be >= 0");
    this.#rate = bytesPerSecond;
    this.#nextFree = 0;
  }

  /** Waits until `bytes` may pass. Resolves at once when unlimited. */
  async take(bytes: number, signal?: AbortSignal): Promise<void> {
    const rate = this.#rate;
    if (rate <= 0 || bytes <= 0) return;
    const now = performance.now();
    const start = Math.max(this.#nextFree, now);
    this.#nextFree = start + (bytes / rate) * 1000;
    const delay = this.#nextFree - now - BURST_SECONDS * 1000;
    if (delay > 0) await sleep(delay, undefined, signal === undefined ? undefined : { signal });
  }
}

/** Largest piece passed to the limiter at once, so one big chunk cannot stall others for long. */
const SLICE = 64 * 1024;

/** A pass-through stream that holds data back to the limiter's rate. */
export function createThrottleStream(limiter: BandwidthLimiter, signal?: AbortSignal): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      if (limiter.rate <= 0) {
        callback(null, chunk);
        return;
      }
      void (async () => {
        for (let offset = 0; offset < chunk.length; offset += SLICE) {
          const piece = chunk.subarray(offset, offset + SLICE);
          await limiter.take(piece.length, signal);
          this.push(piece);
        }
      })().then(() => callback(), callback);
    },
  });
}

/** Chunks held back to the limiter's rate (in slices of at most 64 KiB while a limit is set). */
export async function* throttledChunks(
  limiter: BandwidthLimiter,
  chunks: AsyncIterable<Uint8Array>,
  signal?: AbortSignal,
): AsyncIterable<Uint8Array> {
  for await (const chunk of chunks) {
    if (limiter.rate <= 0) {
      yield chunk;
      continue;
    }
    for (let offset = 0; offset < chunk.length; offset += SLICE) {
      const piece = chunk.subarray(offset, offset + SLICE);
      await limiter.take(piece.length, signal);
      yield piece;
    }
  }
}
