import { createHash } from "node:crypto";
import { joinPath } from "../providers/path.ts";
import { type Backend, NotFoundBackendError, type ObjectEntry } from "../providers/provider.ts";
import type { BandwidthLimiter } from "./bwlimit.ts";
import { transferFile } from "./copy.ts";
import { forEachInPool, type TransferPool } from "./pool.ts";

/** What happened to one file of a directory transfer (feeds rc job stats and `job/progress`). */
export interface FileOutcome {
  /** Path relative to the source directory. */
  path: string;
  size: number;
  outcome: "uploaded" | "skipped" | "failed";
  /** Bytes went through JS buffers (not renamed or copied by the kernel). */
  streamed?: boolean;
  error?: unknown;
}

export interface SyncDirOptions {
  src: Backend;
  srcDir: string;
  dst: Backend;
  dstDir: string;
  /** Delete each source file once it is safely at the destination (`sync/movedir`). */
  move?: boolean;
  /**
   * rclone `--suffix`: a destination file that would be overwritten by different content is first renamed
   * `<name><suffix>` (SM passes `.sm_<snapshot tag>` to keep older versions of colliding SSTables).
   */
  suffix?: string;
  pool: TransferPool;
  limiter?: BandwidthLimiter;
  signal?: AbortSignal;
  onFile?: (outcome: FileOutcome) => void;
}

/**
 * `sync/copydir` and `sync/movedir`: copies every file below `srcDir` to `dstDir`, `transfers` at a time
 * (a move between two local backends on one filesystem renames each file instead of copying it; across filesystems
 * and without a rate limit the kernel copies it),
 * skipping files the destination already has (same size, and same MD5 where the destination knows one,
 * as rclone's checksum mode). The source is listed lazily, so memory does not grow with the file count.
 * Individual failures are reported and the rest continue; the first failure is rethrown at the end.
 */
export async function syncDir(options: SyncDirOptions): Promise<void> {
  const listed = options.dst.isLocal ? undefined : await listDestination(options.dst, options.dstDir);
  const files = filesOf(options.src.list(options.srcDir, { recurse: true, filesOnly: true }));
  await runTransfers(
    options,
    files,
    (entry) => ({ srcPath: joinPath(options.srcDir, entry.path), rel: entry.path }),
    listed,
  );
}

/**
 * An object store's destination dir, listed once before the transfers (rclone's sync lists the destination too):
 * a file missing from it needs no per-file HEAD, and an entry marked `complete` (S3: the listing's ETag is HEAD's)
 * no `stat` at all, so the skip decisions are those per-file `stat`s would make. Undefined when the listing
 * fails for another reason than a missing dir: then every file is `stat`ed as before.
 */
async function listDestination(dst: Backend, dir: string): Promise<Map<string, ObjectEntry> | undefined> {
  const out = new Map<string, ObjectEntry>();
  try {
    for await (const entry of dst.list(dir, { recurse: true, filesOnly: true })) out.set(entry.path, entry);
  } catch (error) {
    return error instanceof NotFoundBackendError ? out : undefined;
  }
  return out;
}

/** The destination file at `dstPath` (`rel` inside the listed dir), from the listing where it can be. */
async function destinationEntry(
  dst: Backend,
  dstPath: string,
  rel: string,
  listed: ReadonlyMap<string, ObjectEntry> | undefined,
): Promise<ObjectEntry | undefined> {
  if (listed === undefined) return dst.stat(dstPath);
  const entry = listed.get(rel);
  if (entry === undefined) return undefined;
  return entry.complete ? entry : dst.stat(dstPath);
}

export interface CopyPathsOptions extends Omit<SyncDirOptions, "move" | "suffix"> {
  /** Paths relative to `srcDir` (and to `dstDir` at the destination). */
  paths: string[];
}

/** `sync/copypaths`: copies the listed files from `srcDir` to `dstDir` (restore downloads into `data:`). */
export async function copyPaths(options: CopyPathsOptions): Promise<void> {
  async function* entries(): AsyncIterable<ObjectEntry> {
    for (const path of options.paths) yield { path, name: path, size: -1, modTime: new Date(0), isDir: false };
  }
  await runTransfers(options, entries(), (entry) => ({
    srcPath: joinPath(options.srcDir, entry.path),
    rel: entry.path,
  }));
}

async function runTransfers(
  options: SyncDirOptions,
  files: AsyncIterable<ObjectEntry>,
  locate: (entry: ObjectEntry) => { srcPath: string; rel: string },
  listed?: ReadonlyMap<string, ObjectEntry>,
): Promise<void> {
  let firstError: unknown;
  await forEachInPool(
    options.pool,
    files,
    async (entry) => {
      const { srcPath, rel } = locate(entry);
      const dstPath = joinPath(options.dstDir, rel);
      try {
        const outcome = await transferOne(
          options,
          srcPath,
          dstPath,
          await destinationEntry(options.dst, dstPath, rel, listed),
        );
        options.onFile?.({
          path: rel,
          size: outcome.size,
          outcome: outcome.skipped ? "skipped" : "uploaded",
          streamed: outcome.streamed,
        });
      } catch (error) {
        firstError ??= error;
        options.onFile?.({ path: rel, size: Math.max(entry.size, 0), outcome: "failed", error });
      }
    },
    { signal: options.signal },
  );
  if (firstError !== undefined) throw firstError;
}

async function transferOne(
  options: SyncDirOptions,
  srcPath: string,
  dstPath: string,
  existing: ObjectEntry | undefined,
): Promise<{ size: number; skipped: boolean; streamed: boolean }> {
  const { src, dst } = options;
  const source = existing === undefined ? undefined : await src.stat(srcPath);
  if (existing !== undefined && source !== undefined && (await isSameFile(src, srcPath, source, existing))) {
    if (options.move) await src.delete(srcPath);
    return { size: source.size, skipped: true, streamed: false };
  }
  if (existing !== undefined && options.suffix) {
    await moveWithin(dst, dstPath, `${dstPath}${options.suffix}`);
  }
  if (options.move && dst.moveFrom !== undefined) {
    options.signal?.throwIfAborted();
    const renamed = await dst.moveFrom(src, srcPath, dstPath);
    if (renamed !== undefined) return { size: renamed, skipped: false, streamed: false };
  }
  if (dst.copyFrom !== undefined && (options.limiter?.rate ?? 0) === 0) {
    // Local to local without a rate limit (restore from localstorage, a backup move across filesystems): the kernel
    // copies, as rclone's local backend does (Go's io.Copy between two files), instead of streaming every byte
    // through JS buffers.
    options.signal?.throwIfAborted();
    const copied = await dst.copyFrom(src, srcPath, dstPath);
    if (copied !== undefined) {
      if (options.move) await src.delete(srcPath);
      return { size: copied, skipped: false, streamed: false };
    }
  }
  const { size } = await transferFile(src, srcPath, dst, dstPath, { limiter: options.limiter, signal: options.signal });
  if (options.move) await src.delete(srcPath);
  return { size, skipped: false, streamed: true };
}

/** rclone's equality in checksum mode: sizes match, and MD5s match when the destination has one. */
async function isSameFile(src: Backend, srcPath: string, source: ObjectEntry, existing: ObjectEntry): Promise<boolean> {
  if (source.size !== existing.size) return false;
  if (existing.md5 === undefined) return true;
  const srcMd5 = source.md5 ?? (await hashFile(src, srcPath));
  return srcMd5 === existing.md5;
}

/** MD5 of a file, streamed. */
export async function hashFile(backend: Backend, path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash("md5");
  for await (const chunk of await backend.read(path, signal)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Renames within one backend: native where it can, otherwise a server-side copy and a delete. */
export async function moveWithin(backend: Backend, from: string, to: string): Promise<void> {
  if (backend.move !== undefined) {
    await backend.move(from, to);
    return;
  }
  await backend.copy(from, to);
  await backend.delete(from);
}

async function* filesOf(entries: AsyncIterable<ObjectEntry>): AsyncIterable<ObjectEntry> {
  for await (const entry of entries) if (!entry.isDir) yield entry;
}
