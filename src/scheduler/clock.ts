/**
 * Time source and timers of the scheduler, injected so tests drive it with a fake clock.
 * @module
 */

/** Opaque timer handle. */
export type TimerHandle = unknown;

/** The scheduler's clock. */
export interface Clock {
  /** ms since the epoch. */
  now(): number;
  /** Calls `fn` after `delayMs` (≥ 0). */
  setTimer(fn: () => void, delayMs: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

// setTimeout's delay is a signed 32-bit int; longer delays re-arm.
const MAX_DELAY = 2_000_000_000;

/**
 * The real clock (Date.now + setTimeout), or `now` with real timers measured against it. Timers keep the process
 * alive (a Node program hosting only the scheduler must not exit); `Manager.close()` clears them.
 */
export function createSystemClock(now: () => number = Date.now): Clock {
  return {
    now,
    setTimer(fn, delayMs) {
      const box: { handle?: ReturnType<typeof setTimeout> } = {};
      const due = now() + delayMs;
      const arm = (delay: number) => {
        box.handle = setTimeout(
          () => {
            const left = due - now();
            if (left > 0 && delay === MAX_DELAY) arm(Math.min(left, MAX_DELAY));
            else fn();
          },
          Math.max(0, delay),
        );
      };
      arm(Math.min(delayMs, MAX_DELAY));
      return box;
    },
    clearTimer(handle) {
      const box = handle as { handle?: ReturnType<typeof setTimeout> };
      if (box?.handle) clearTimeout(box.handle);
    },
  };
}
