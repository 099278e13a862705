/**
 * SM's retry backoff (cenkalti/backoff ExponentialBackOff): the n-th wait is `waitMin * multiplier^n`, capped at
 * `waitMax`, then randomised by ±`jitter`.
 * @module
 */

/** A backoff policy; all times in milliseconds. */
export interface BackoffPolicy {
  /** First wait. SM default 1 000. */
  waitMinMs: number;
  /** Upper bound of a wait before jitter. SM default 30 000. */
  waitMaxMs: number;
  /** Retries after the first attempt. SM default 9 (interactive: 1). */
  maxRetries: number;
  /** Growth per retry. SM default 2. */
  multiplier: number;
  /** Randomisation factor in [0, 1]. SM default 0.2. */
  jitter: number;
}

/** SM's `agent_client.backoff` defaults: 1 s → 30 s, ×2, jitter 0.2, 9 retries. */
export const DEFAULT_BACKOFF: BackoffPolicy = {
  waitMinMs: 1_000,
  waitMaxMs: 30_000,
  maxRetries: 9,
  multiplier: 2,
  jitter: 0.2,
};

/** SM's `agent_client.interactive_backoff`: one retry after 1 s, for calls started by the REST API or sctool. */
export const INTERACTIVE_BACKOFF: BackoffPolicy = {
  waitMinMs: 1_000,
  waitMaxMs: 1_000,
  maxRetries: 1,
  multiplier: 1,
  jitter: 0,
};

/** The wait before retry number `retry` (0-based). `random` returns a number in [0, 1). */
export function computeBackoffMs(policy: BackoffPolicy, retry: number, random: () => number = Math.random): number {
  const base = Math.min(policy.waitMinMs * policy.multiplier ** retry, policy.waitMaxMs);
  const delta = base * policy.jitter;
  return Math.max(0, base - delta + random() * 2 * delta);
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
