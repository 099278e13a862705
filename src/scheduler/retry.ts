/**
 * Retry backoff of failed runs (SM): exponential from `retry_wait`, ×2 per retry, capped at 3 h, no jitter.
 * @module
 */

/** Cap of one retry interval: 3 h. */
const MAX_RETRY_INTERVAL_MS = 3 * 3_600_000;
/** Server default `retry_wait` when 0 but retries are asked for: 10 min. */
const DEFAULT_RETRY_WAIT_MS = 10 * 60_000;

/** Delay before retry number `retry` (1-based). */
export function computeRetryDelay(retry: number, retryWaitMs: number): number {
  const base = retryWaitMs > 0 ? retryWaitMs : DEFAULT_RETRY_WAIT_MS;
  return Math.min(base * 2 ** Math.max(0, retry - 1), MAX_RETRY_INTERVAL_MS);
}
