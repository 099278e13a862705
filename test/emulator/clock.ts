/**
 * The emulator's injectable clock. Modelled durations (repair jobs, streaming) are scaled by `timeScale`:
 * real wait = modelled duration × timeScale, so `--time-scale 0.01` runs a modelled minute in 0.6 s.
 * @module
 */

/** Time source and scaled sleeps for modelled work. */
export interface Clock {
  /** Real wall-clock milliseconds (timestamps in the ledger and task statuses). */
  now(): number;
  /** Multiplier applied to modelled durations. */
  readonly timeScale: number;
  /** Waits a modelled duration (scaled); rejects with the signal's reason when aborted. */
  sleepModelled(modelledMs: number, signal?: AbortSignal): Promise<void>;
  /** Waits a real duration (unscaled); rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Creates the default clock on Date.now and setTimeout. */
export function createClock(timeScale = 1, now: () => number = Date.now): Clock {
  if (!(timeScale >= 0) || !Number.isFinite(timeScale)) {
    throw new Error(`time scale must be a finite number >= 0, got ${timeScale}`);
  }
  const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer = setTimeout(
        () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  return {
    now,
    timeScale,
    sleep,
    sleepModelled: (modelledMs, signal) => sleep(modelledMs * timeScale, signal),
  };
}
