/**
 * Progress events of the library classes (Backup, Restore, One2OneRestore): at most one per interval unless forced
 * (a stage change, the end), each produced after the one before it has finished, so events never arrive out of
 * order even when producing one reads the store.
 * @module
 */

/** A throttled, serialised publisher; `settled()` resolves once every accepted request has been published. */
export interface ThrottledPublisher<A extends unknown[]> {
  request(force: boolean, ...args: A): void;
  settled(): Promise<void>;
}

export function throttledPublisher<A extends unknown[]>(
  intervalMs: number,
  publish: (...args: A) => void | Promise<void>,
  now: () => number = Date.now,
): ThrottledPublisher<A> {
  let last = Number.NEGATIVE_INFINITY;
  let chain: Promise<void> = Promise.resolve();
  return {
    request(force, ...args) {
      const at = now();
      if (!force && at - last < intervalMs) return;
      last = at;
      chain = chain.then(() => publish(...args));
    },
    settled: () => chain,
  };
}
