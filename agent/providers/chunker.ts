import type { Readable } from "node:stream";

/**
 * Reads a stream into caller-owned buffers, so uploads in fixed-size parts can recycle a few part buffers
 * instead of allocating (and leaving to the GC) a fresh one per part.
 */
export class StreamChunker {
  readonly #iterator: AsyncIterator<Buffer>;
  #leftover: Buffer | undefined;
  #done = false;

  constructor(stream: Readable) {
    this.#iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  /** True once the stream has ended and every byte was handed out. */
  get done(): boolean {
    return this.#done && this.#leftover === undefined;
  }

  /** Fills `buffer` from the stream; returns the bytes written (less than its length only at the end). */
  async fill(buffer: Buffer): Promise<number> {
    let filled = 0;
    while (filled < buffer.length) {
      let chunk = this.#leftover;
      this.#leftover = undefined;
      if (chunk === undefined) {
        if (this.#done) break;
        const next = await this.#iterator.next();
        if (next.done) {
          this.#done = true;
          break;
        }
        chunk = next.value;
      }
      const take = Math.min(chunk.length, buffer.length - filled);
      chunk.copy(buffer, filled, 0, take);
      filled += take;
      if (take < chunk.length) this.#leftover = chunk.subarray(take);
    }
    return filled;
  }
}

/**
 * Cuts a stream into parts of `size` bytes (the last one shorter; one empty part for an empty stream),
 * always reading the stream to its end (so a hashing/size-checking stage sees all of it),
 * reusing buffers the consumer hands back through `release`. At most `maxBuffers` are ever allocated;
 * when all are in use the generator waits for a release.
 */
export async function* readParts(
  stream: Readable,
  size: number,
  maxBuffers: number,
  expectedTotal?: number,
): AsyncGenerator<{ data: Buffer; release: () => void }> {
  // A small file gets a buffer of its own size, not a whole part; the stream is still read to its end.
  const bufferSize = Math.max(1, Math.min(size, expectedTotal ?? size));
  const chunker = new StreamChunker(stream);
  const free: Buffer[] = [];
  let allocated = 0;
  let wake: (() => void) | undefined;
  const release = (buffer: Buffer) => () => {
    free.push(buffer);
    wake?.();
  };
  let first = true;
  for (;;) {
    while (free.length === 0 && allocated >= maxBuffers) await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
    let buffer = free.pop();
    if (buffer === undefined) {
      buffer = Buffer.allocUnsafe(bufferSize);
      allocated++;
    }
    const n = await chunker.fill(buffer);
    if (n === 0 && !first) {
      free.push(buffer);
      return;
    }
    first = false;
    yield { data: buffer.subarray(0, n), release: release(buffer) };
    if (n < bufferSize) return;
  }
}
