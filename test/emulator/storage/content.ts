/**
 * Deterministic SSTable component content. A file starts with a seeded pseudo-random head (at most 64 KiB) and the
 * rest is a sparse hole, so multi-GiB tables cost little disk and time while every file still has its own content
 * and CRC. Nothing larger than one chunk is held in memory.
 * @module
 */
import { closeSync, ftruncateSync, openSync, readSync, writeSync } from "node:fs";
import { crc32 } from "node:zlib";
import { createRandom } from "../random.ts";

const HEAD_BYTES = 64 * 1024;
const ZERO_CHUNK = Buffer.alloc(1024 * 1024);

/** Size and CRC32 of a file. */
export interface FileDigest {
  size: number;
  /** CRC32 as 8 lowercase hex digits. */
  crc32: string;
}

/** Formats a CRC32 value as 8 hex digits. */
export function hexCrc(value: number): string {
  return (value >>> 0).toString(16).padStart(8, "0");
}

/** The seeded head of a file. */
function headOf(seed: string, size: number): Buffer {
  const random = createRandom(seed);
  const head = Buffer.alloc(Math.min(size, HEAD_BYTES));
  for (let i = 0; i + 4 <= head.length; i += 4) head.writeUInt32LE(random.nextU32(), i);
  for (let i = head.length - (head.length % 4); i < head.length; i++) head[i] = random.int(256);
  return head;
}

/** Writes `size` bytes of seeded content to `path` (head + sparse zeros) and returns its CRC32. */
export function writeSeededFile(path: string, seed: string, size: number): FileDigest {
  const head = headOf(seed, size);
  const fd = openSync(path, "w");
  try {
    writeSync(fd, head, 0, head.length, 0);
    ftruncateSync(fd, size);
  } finally {
    closeSync(fd);
  }
  let crc = crc32(head);
  for (let left = size - head.length; left > 0; left -= ZERO_CHUNK.length) {
    crc = crc32(left >= ZERO_CHUNK.length ? ZERO_CHUNK : ZERO_CHUNK.subarray(0, left), crc);
  }
  return { size, crc32: hexCrc(crc) };
}

/** Writes a small text file and returns its digest. */
export function writeTextFile(path: string, text: string): FileDigest {
  const data = Buffer.from(text);
  const fd = openSync(path, "w");
  try {
    writeSync(fd, data, 0, data.length, 0);
  } finally {
    closeSync(fd);
  }
  return { size: data.length, crc32: hexCrc(crc32(data)) };
}

/** Reads a file in chunks and returns its size and CRC32. */
export function digestFile(path: string): FileDigest {
  const fd = openSync(path, "r");
  const buf = Buffer.alloc(1024 * 1024);
  let crc = 0;
  let size = 0;
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      crc = crc32(buf.subarray(0, n), crc);
      size += n;
    }
  } finally {
    closeSync(fd);
  }
  return { size, crc32: hexCrc(crc) };
}
