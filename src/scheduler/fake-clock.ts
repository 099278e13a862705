/**
 * A manual clock for tests: time moves only through `advance`/`advanceTo`, which fire due timers in order and let
 * the promises they start settle between timers.
 * @module
 */
import type { Clock, TimerHandle } from "./clock.ts";

interface FakeTimer {
  id: number;
  due: number;
  fn: () => void;
}

/** Resolves after pending promise callbacks and I/O callbacks have run. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A fake clock starting at `startMs`. */
export class FakeClock implements Clock {
  #now: number;
  #timers: FakeTimer[] = [];
  #seq = 0;

  constructor(startMs: number) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimer(fn: () => void, delayMs: number): TimerHandle {
    const timer = { id: ++this.#seq, due: this.#now + Math.max(0, delayMs), fn };
    this.#timers.push(timer);
    return timer.id;
  }

  clearTimer(handle: TimerHandle): void {
    this.#timers = this.#timers.filter((timer) => timer.id !== handle);
  }

  /** Due times of pending timers, earliest first. */
  pending(): number[] {
    return this.#timers.map((t) => t.due).sort((a, b) => a - b);
  }

  /** Moves time forward by `ms`, firing timers due on the way. */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.#now + ms);
  }

  /** Moves time to `targetMs`, firing timers due on the way (each at its own due time). */
  async advanceTo(targetMs: number): Promise<void> {
    await settle();
    for (;;) {
      const next = [...this.#timers].sort((a, b) => a.due - b.due || a.id - b.id)[0];
      if (!next || next.due > targetMs) break;
      this.#timers = this.#timers.filter((timer) => timer !== next);
      this.#now = Math.max(this.#now, next.due);
      next.fn();
      await settle();
    }
    this.#now = Math.max(this.#now, targetMs);
    await settle();
  }
}
