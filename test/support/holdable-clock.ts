/**
 * An emulator clock whose modelled waits (loads, native transfers) that start while the clock is held also wait for
 * the release, so a kill test can place its kill inside a chosen operation.
 * @module
 */
import { type Clock, createClock } from "../emulator/clock.ts";

export interface HoldableClock {
  clock: Clock;
  /** Modelled waits started from now on stay unfinished until `release()`. */
  hold(): void;
  release(): void;
}

export function createHoldableClock(): HoldableClock {
  const base = createClock();
  let held: { promise: Promise<void>; release(): void } | undefined;
  const clock: Clock = {
    now: base.now,
    timeScale: base.timeScale,
    sleep: base.sleep,
    async sleepModelled(ms, signal) {
      const gate = held?.promise;
      await base.sleepModelled(ms, signal);
      if (gate) await gate;
    },
  };
  return {
    clock,
    hold() {
      let release = () => {};
      const promise = new Promise<void>((resolve) => {
        release = resolve;
      });
      held = { promise, release };
    },
    release() {
      held?.release();
      held = undefined;
    },
  };
}
