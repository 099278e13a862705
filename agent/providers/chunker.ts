import type { Readable } from "node:stream";

/**
 * Cuts a stream into buffers of exactly `size` bytes (the last one shorter), holding at most one buffer
 * at a time; used where a backend uploads fixed-size blocks.
 */
export async function* readChunks(stream: Readable, size: number): AsyncIterable<Buffer> {
  let parts: Buffer[] = [];
  let filled = 0;
  let emitted = false;
  for await (const raw of stream) {
    let chunk = raw as Buffer;
    while (chunk.length > 0) {
      const take = Math.min(size - filled, chunk.length);
      parts.push(chunk.subarray(0, take));
      filled += take;
      chunk = chunk.subarray(take);
      if (filled === size) {
        yield Buffer.concat(parts, size);
        emitted = true;
        parts = [];
        filled = 0;
      }
    }
  }
  if (filled > 0 || !emitted) yield Buffer.concat(parts, filled);
}
