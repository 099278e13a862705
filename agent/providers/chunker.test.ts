import { expect, test } from "bun:test";
import { Readable } from "node:stream";
import { readParts, StreamChunker } from "./chunker.ts";

function source(sizes: number[]): Readable {
  return Readable.from(sizes.map((n, i) => Buffer.alloc(n, i + 1)));
}

test("readParts cuts exact parts and recycles at most maxBuffers buffers", async () => {
  const seen = new Set<ArrayBufferLike>();
  const lengths: number[] = [];
  let bytes = 0;
  for await (const part of readParts(source([7, 3, 9, 1, 5]), 4, 2)) {
    seen.add(part.data.buffer);
    lengths.push(part.data.length);
    bytes += part.data.length;
    part.release();
  }
  expect(lengths).toEqual([4, 4, 4, 4, 4, 4, 1]);
  expect(bytes).toBe(25);
  expect(seen.size).toBeLessThanOrEqual(2);
});

test("readParts sizes the buffer to a small expected total and still reads to the end", async () => {
  const parts: number[] = [];
  for await (const part of readParts(source([3, 2]), 1024, 3, 5)) {
    parts.push(part.data.length);
    expect(part.data.buffer.byteLength).toBeLessThan(1024);
    part.release();
  }
  expect(parts).toEqual([5]);
  const empty: number[] = [];
  for await (const part of readParts(source([]), 1024, 3, 0)) empty.push(part.data.length);
  expect(empty).toEqual([0]);
});

test("StreamChunker keeps what did not fit for the next fill", async () => {
  const chunker = new StreamChunker(source([5, 5]));
  const a = Buffer.alloc(3);
  const b = Buffer.alloc(10);
  expect(await chunker.fill(a)).toBe(3);
  expect(await chunker.fill(b)).toBe(7);
  expect([...b.subarray(0, 7)]).toEqual([1, 1, 2, 2, 2, 2, 2]);
  expect(chunker.done).toBe(true);
});
