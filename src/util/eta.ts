/**
 * Estimated time left for a long operation (repair, backup, restore, validate), shared by the REST progress JSON,
 * sctool's `progress` ETA line, the library's progress events and the one-shot CLI runs.
 *
 * Two estimators, both pure:
 * - {@link estimateEta}: from what a persisted progress says (start time, work done, work total). It needs no
 *   history, so the server can compute it on every `GET .../progress` from stored rows alone.
 * - {@link EtaTracker}: for a live run (library events, terminal progress), a rate smoothed over recent samples,
 *   so a pause or a burst does not swing the estimate wildly.
 * @module
 */
import { formatDuration } from "./duration.ts";

/** Inputs of {@link estimateEta}; `done` and `total` are in one unit (bytes, ranges, files). */
export interface EtaInput {
  /** When the work started, epoch ms. */
  startedAtMs: number;
  /** Now, epoch ms (injected; domain code never reads the clock itself). */
  nowMs: number;
  done: number;
  total: number;
}

/**
 * Seconds left at the mean rate since the start, or `undefined` while nothing is done yet (no rate to go by).
 * 0 when the work is complete.
 */
export function estimateEta({ startedAtMs, nowMs, done, total }: EtaInput): number | undefined {
  if (total <= 0 || done >= total) return 0;
  const elapsedMs = nowMs - startedAtMs;
  if (done <= 0 || elapsedMs <= 0) return undefined;
  return Math.ceil(((total - done) * elapsedMs) / done / 1000);
}

/** Options of {@link EtaTracker}. */
export interface EtaTrackerOptions {
  /** Weight of the newest rate sample, 0..1. Default 0.3. */
  smoothing?: number;
}

/**
 * A live ETA: feed it `(done, total, nowMs)` samples as progress arrives; `etaSeconds` uses an exponentially
 * smoothed rate. Before two samples it falls back to nothing (undefined).
 */
export class EtaTracker {
  readonly #smoothing: number;
  #last: { done: number; atMs: number } | undefined;
  #rate: number | undefined;
  #left = 0;

  constructor(options: EtaTrackerOptions = {}) {
    this.#smoothing = Math.min(1, Math.max(0, options.smoothing ?? 0.3));
  }

  /** Records a sample; returns the new estimate in seconds (undefined while there is no rate yet). */
  update(done: number, total: number, nowMs: number): number | undefined {
    this.#left = Math.max(0, total - done);
    const last = this.#last;
    if (last && nowMs > last.atMs && done >= last.done) {
      const sample = ((done - last.done) * 1000) / (nowMs - last.atMs);
      this.#rate = this.#rate === undefined ? sample : this.#smoothing * sample + (1 - this.#smoothing) * this.#rate;
    }
    if (!last || nowMs > last.atMs) this.#last = { done, atMs: nowMs };
    return this.etaSeconds;
  }

  /** Seconds left at the smoothed rate; 0 when nothing is left; undefined with no rate yet. */
  get etaSeconds(): number | undefined {
    if (this.#left === 0) return 0;
    if (!this.#rate) return undefined;
    return Math.ceil(this.#left / this.#rate);
  }
}

/** `ETA: 1h2m` style text for terminals; "unknown" while there is no estimate, "0s" when done. */
export function formatEta(seconds: number | undefined): string {
  if (seconds === undefined) return "unknown";
  if (seconds <= 0) return "0s";
  return formatDuration(seconds * 1000) || "0s";
}
