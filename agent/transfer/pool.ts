/**
 * A concurrency gate for transfers (rclone's `transfers`): at most `limit` tasks run at once, the rest wait
 * in FIFO order. The limit can change while tasks run (`core/transfers`); raising it starts waiters at once.
 */
export class TransferPool {
  #limit: number;
  #running = 0;
  #waiters: Array<() => void> = [];

  constructor(limit = 2) {
    this.#limit = checkLimit(limit);
  }

  get limit(): number {
    return this.#limit;
  }

  get running(): number {
    return this.#running;
  }

  setLimit(limit: number): void {
    this.#limit = checkLimit(limit);
    this.#wake();
  }

  /** Runs `task` once a slot is free. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#limit) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    } else {
      this.#running++;
    }
    try {
      return await task();
    } finally {
      this.#running--;
      this.#wake();
    }
  }

  #wake(): void {
    while (this.#running < this.#limit && this.#waiters.length > 0) {
      this.#running++;
      this.#waiters.shift()!();
    }
  }
}

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`transfers must be a positive integer, got ${limit}`);
  return limit;
}

export interface ForEachOptions {
  /** Stops pulling new items; running ones finish (or honour the signal themselves). */
  signal?: AbortSignal;
}

/**
 * Runs `fn` for every item of a (possibly huge, lazily produced) iterable through the pool. Items are pulled
 * only when a slot is free, so memory stays bounded by the pool size, not the item count. The first failure
 * stops pulling and is rethrown after the running tasks settle.
 */
export async function forEachInPool<T>(
  pool: TransferPool,
  items: AsyncIterable<T> | Iterable<T>,
  fn: (item: T) => Promise<void>,
  options: ForEachOptions = {},
): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  for await (const item of items) {
    if (failure !== undefined || options.signal?.aborted) break;
    while (inFlight.size >= pool.limit) await Promise.race(inFlight);
    if (failure !== undefined) break;
    const task: Promise<void> = pool
      .run(() => fn(item))
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  }
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure.error;
  options.signal?.throwIfAborted();
}
