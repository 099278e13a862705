/**
 * Deterministic SSTable component content. A file starts with a seeded pseudo-random head (at most 64 KiB) and the
 * rest is a sparse hole, so multi-GiB tables cost little disk and time while every file still has its own content
 * and CRC. Nothing larger than one chunk is held in memory. Files are planned (head, size, digest) apart from
 * being written, so boot can write many files concurrently.
 * @module
 */
import { createCipheriv, createHash } from "node:crypto";
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, type Stats, writeSync } from "node:fs";
import { open } from "node:fs/promises";
import { crc32 } from "node:zlib";
import { crc32ExtendZeros } from "./crc-zeros.ts";

const HEAD_BYTES = 64 * 1024;

/** Size and CRC32 of a file. */
export interface FileDigest {
  size: number;
  /** CRC32 as 8 lowercase hex digits. */
  crc32: string;
}

/** A file to write: its head bytes, its total size (the rest is a hole) and its digest. */
export interface FilePlan {
  head: Buffer;
  size: number;
  digest: FileDigest;
}

/** Formats a CRC32 value as 8 hex digits. */
export function hexCrc(value: number): string {
  return (value >>> 0).toString(16).padStart(8, "0");
}

let pool: Buffer | undefined;

/** A fixed pseudo-random pool (AES-128-CTR keystream) the heads are cut from. */
function randomPool(): Buffer {
  pool ??= createCipheriv("aes-128-ctr", Buffer.alloc(16, 7), Buffer.alloc(16, 9)).update(Buffer.alloc(4 * HEAD_BYTES));
  return pool;
}

/**
 * The seeded head of a file: the seed's SHA-256 (so every file differs) then a slice of the shared pool at an
 * offset derived from it. Cheap enough for tens of thousands of files.
 */
function headOf(seed: string, size: number): Buffer {
  const hash = createHash("sha256").update(seed).digest();
  const length = Math.min(size, HEAD_BYTES);
  if (length <= hash.length) return hash.subarray(0, length);
  const random = randomPool();
  const offset = hash.readUInt32LE(0) % (random.length - HEAD_BYTES);
  const head = Buffer.allocUnsafe(length);
  hash.copy(head, 0);
  random.copy(head, hash.length, offset, offset + length - hash.length);
  return head;
}

/** Plans `size` bytes of seeded content (head + zeros) with its CRC32. */
export function planSeededFile(seed: string, size: number): FilePlan {
  const head = headOf(seed, size);
  const crc = crc32ExtendZeros(crc32(head), size - head.length);
  return { head, size, digest: { size, crc32: hexCrc(crc) } };
}

/** Plans a small text file. */
export function planTextFile(text: string): FilePlan {
  const head = Buffer.from(text);
  return { head, size: head.length, digest: { size: head.length, crc32: hexCrc(crc32(head)) } };
}

/**
 * Digests of files this process wrote from a plan, by inode, size and mtime: a snapshot's hard links share the
 * inode, so recording its digests (`digestFile`) need not read gigabytes the emulator generated itself (Scylla's
 * snapshot only links files; reading them all made the emulator's snapshot the slowest step of a local backup).
 * A hit is still checked against the file's head, where the content lives (the rest is a hole).
 */
const written = new Map<string, { digest: FileDigest; headCrc: number }>();

function identity(st: Pick<Stats, "dev" | "ino" | "size" | "mtimeMs">): string {
  return `${st.dev}:${st.ino}:${st.size}:${Math.trunc(st.mtimeMs)}`;
}

/** Writes a planned file synchronously. */
export function writePlanSync(path: string, plan: FilePlan): void {
  const fd = openSync(path, "w");
  try {
    writeSync(fd, plan.head, 0, plan.head.length, 0);
    if (plan.size > plan.head.length) ftruncateSync(fd, plan.size);
    written.set(identity(fstatSync(fd)), { digest: plan.digest, headCrc: crc32(plan.head) });
  } finally {
    closeSync(fd);
  }
}

/** Writes a planned file asynchronously. */
export async function writePlan(path: string, plan: FilePlan): Promise<void> {
  const handle = await open(path, "w");
  try {
    await handle.write(plan.head, 0, plan.head.length, 0);
    if (plan.size > plan.head.length) await handle.truncate(plan.size);
    written.set(identity(await handle.stat()), { digest: plan.digest, headCrc: crc32(plan.head) });
  } finally {
    await handle.close();
  }
}

/** Writes `size` bytes of seeded content to `path` and returns its digest. */
export function writeSeededFile(path: string, seed: string, size: number): FileDigest {
  const plan = planSeededFile(seed, size);
  writePlanSync(path, plan);
  return plan.digest;
}

/** Size and CRC32 of a file: from the write-time record when this process wrote it (head unchanged), else read in chunks. */
export function digestFile(path: string): FileDigest {
  const fd = openSync(path, "r");
  try {
    const known = written.get(identity(fstatSync(fd)));
    if (known !== undefined) {
      const head = Buffer.alloc(Math.min(known.digest.size, HEAD_BYTES));
      const n = readSync(fd, head, 0, head.length, 0);
      if (n === head.length && crc32(head) === known.headCrc) return { ...known.digest };
    }
    const buf = Buffer.alloc(1024 * 1024);
    let crc = 0;
    let size = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, size);
      if (n === 0) break;
      crc = crc32(buf.subarray(0, n), crc);
      size += n;
    }
    return { size, crc32: hexCrc(crc) };
  } finally {
    closeSync(fd);
  }
}
