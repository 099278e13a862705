import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import {
  copyFile,
  type FileHandle,
  lstat,
  mkdir,
  open,
  opendir,
  rename,
  rm,
  stat,
  statfs,
  unlink,
} from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { Readable } from "node:stream";
import { verifiedChunks } from "../transfer/checksum.ts";
import { errorCode, Jail } from "./jail.ts";
import { baseName, cleanRelativePath, joinPath, splitBucketPath } from "./path.ts";
import {
  type AboutInfo,
  type Backend,
  InvalidArgumentBackendError,
  type ListOptions,
  NotFoundBackendError,
  type ObjectEntry,
  PermissionBackendError,
  type RangeReader,
  type WriteOptions,
} from "./provider.ts";

/** Chunk size of range reads: few chunks per part, little memory per stream. */
const RANGE_CHUNK = 256 * 1024;

/** In-progress writes are named `.<name>.sm-partial-<random>` next to their target and hidden from listings. */
const PARTIAL_MARK = ".sm-partial-";

export interface LocalBackendOptions {
  provider: string;
  root: string;
  /**
   * Each first path segment is a bucket, as for `localstorage`: reads of a missing bucket are "not found", writes
   * create its directory (as SM's agent does on `check-permissions` and `put`).
   */
  bucketed: boolean;
  /** fsync each written file before renaming it into place (default true); see `data.ts` for who turns it off. */
  syncEachFile?: boolean;
}

/**
 * A backend on this node's filesystem, jailed to `root`. Writes go to a hidden temp file in the target
 * directory, are fsynced and then renamed, so a file is visible under its name only when complete.
 * Symlinks inside the tree are not followed by listings (rclone's local default without `-L`).
 */
export class LocalBackend implements Backend {
  readonly provider: string;
  readonly isLocal = true;
  readonly #jail: Jail;
  readonly #bucketed: boolean;
  readonly #syncEachFile: boolean;

  constructor(options: LocalBackendOptions) {
    this.provider = options.provider;
    this.#jail = new Jail(options.root);
    this.#bucketed = options.bucketed;
    this.#syncEachFile = options.syncEachFile ?? true;
  }

  async *list(dir: string, options: ListOptions = {}): AsyncIterable<ObjectEntry> {
    const clean = cleanRelativePath(dir);
    const full = await this.#resolveExisting(clean);
    const info = await stat(full);
    if (!info.isDirectory()) throw new NotFoundBackendError(`directory not found: ${this.#label(clean)}`);
    // Each directory's entries in name order, directories level by level, as rclone's local listing walks them.
    const pending: string[] = [""];
    while (pending.length > 0) {
      const rel = pending.shift()!;
      const handle = await opendir(rel === "" ? full : join(full, ...rel.split("/")));
      const dirents = [];
      for await (const dirent of handle) dirents.push(dirent);
      dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const dirent of dirents) {
        if (dirent.name.includes(PARTIAL_MARK) || dirent.isSymbolicLink()) continue;
        const path = joinPath(rel, dirent.name);
        const isDir = dirent.isDirectory();
        if (!isDir && !dirent.isFile()) continue;
        if (isDir && options.recurse) pending.push(path);
        if ((isDir && options.filesOnly) || (!isDir && options.dirsOnly)) continue;
        const entry = await statEntry(join(full, ...path.split("/")), path);
        if (entry !== undefined) yield entry;
      }
    }
  }

  async stat(path: string): Promise<ObjectEntry | undefined> {
    const clean = cleanRelativePath(path);
    const full = await this.#resolveOrUndefined(clean);
    if (full === undefined) return undefined;
    return statEntry(full, baseName(clean));
  }

  async read(path: string, signal?: AbortSignal): Promise<Readable> {
    const clean = cleanRelativePath(path);
    const full = await this.#resolveExisting(clean);
    const handle = await open(full, "r").catch((err: unknown) => {
      throw mapFsError(err, this.#label(clean));
    });
    if (!(await handle.stat()).isFile()) {
      await handle.close();
      throw new InvalidArgumentBackendError(`${this.#label(clean)} is a directory, not a file`);
    }
    return createReadStream("", { fd: handle, signal });
  }

  /** One open handle for the whole transfer: every range comes from the same file even if the path is replaced. */
  async openRanges(path: string): Promise<RangeReader> {
    const clean = cleanRelativePath(path);
    const full = await this.#resolveExisting(clean);
    const handle = await open(full, "r").catch((err: unknown) => {
      throw mapFsError(err, this.#label(clean));
    });
    const opened = await handle.stat();
    if (!opened.isFile()) {
      await handle.close();
      throw new InvalidArgumentBackendError(`${this.#label(clean)} is a directory, not a file`);
    }
    return {
      size: opened.size,
      read: (start, end, signal) =>
        end <= start
          ? Readable.from([])
          : createReadStream("", {
              fd: handle,
              start,
              end: end - 1,
              autoClose: false,
              highWaterMark: RANGE_CHUNK,
              signal,
            }),
      unchanged: async () => {
        const now = await handle.stat();
        return now.size === opened.size && now.mtimeMs === opened.mtimeMs;
      },
      close: () => handle.close(),
    };
  }

  async write(path: string, body: Readable, options: WriteOptions = {}): Promise<void> {
    await this.writeChunks(path, body, options);
  }

  /**
   * Writes through Bun's FileSink from a plain chunk loop: with Node's write stream and pipeline stages in
   * between, a download spent more CPU on the way to the disk than on receiving and hashing the bytes.
   */
  async writeChunks(path: string, chunks: AsyncIterable<Uint8Array>, options: WriteOptions = {}): Promise<void> {
    const clean = cleanRelativePath(path);
    if (clean === "" || (this.#bucketed && !clean.includes("/"))) {
      throw new InvalidArgumentBackendError(`cannot write ${this.#label(clean)}: a file path is required`);
    }
    const full = await this.#jail.resolve(clean);
    await mkdir(dirname(full), { recursive: true }).catch((err: unknown) => {
      throw mapFsError(err, this.#label(clean));
    });
    // Re-check after mkdir: a directory created above must still be inside the jail.
    await this.#jail.resolve(clean);
    const temp = tempNameFor(full);
    let handle: FileHandle | undefined;
    try {
      handle = await open(temp, "wx");
      // Only the declared size is checked: the source (e.g. an S3 download checked against its ETag) verifies content.
      await writeAll(handle, chunks, options, this.#label(clean));
      if (this.#syncEachFile) await handle.sync();
      await handle.close();
      handle = undefined;
      await rename(temp, full);
    } catch (err) {
      await handle?.close().catch(() => {});
      await unlink(temp).catch(() => {});
      throw mapFsError(err, this.#label(clean));
    }
  }

  async delete(path: string): Promise<void> {
    const clean = cleanRelativePath(path);
    const full = await this.#resolveOrUndefined(clean);
    if (full === undefined) return;
    try {
      await unlink(full);
    } catch (err) {
      if (errorCode(err) === "ENOENT") return;
      throw mapFsError(err, this.#label(clean));
    }
  }

  async copy(src: string, dst: string): Promise<void> {
    const from = await this.#resolveExisting(cleanRelativePath(src));
    const cleanDst = cleanRelativePath(dst);
    const to = await this.#jail.resolve(cleanDst);
    await mkdir(dirname(to), { recursive: true });
    const temp = tempNameFor(to);
    try {
      await copyFile(from, temp);
      await rename(temp, to);
    } catch (err) {
      await unlink(temp).catch(() => {});
      throw mapFsError(err, this.#label(cleanDst));
    }
  }

  async move(src: string, dst: string): Promise<void> {
    const from = await this.#resolveExisting(cleanRelativePath(src));
    const cleanDst = cleanRelativePath(dst);
    const to = await this.#jail.resolve(cleanDst);
    await mkdir(dirname(to), { recursive: true });
    await rename(from, to).catch((err: unknown) => {
      throw mapFsError(err, this.#label(cleanDst));
    });
  }

  /**
   * Renames a regular file of another local backend (or of this one) into place. On one filesystem a move is a
   * rename, atomic and without copying bytes, as rclone's local backend does; across filesystems (EXDEV) it
   * resolves to undefined and the caller copies and deletes. Moved bytes never pass the bandwidth limiter
   * (none are transferred), like rclone's server-side moves.
   */
  async moveFrom(src: Backend, srcPath: string, dstPath: string): Promise<number | undefined> {
    // Brand checks, not instanceof: a wrapped backend (a Proxy, e.g. a test's storage spy) passes instanceof but
    // has none of the private members, and must be used through its own methods (the caller streams instead).
    if (!(#jail in src) || !(#jail in this)) return undefined;
    const cleanSrc = cleanRelativePath(srcPath);
    const from = await src.#resolveExisting(cleanSrc);
    const info = await lstat(from);
    if (!info.isFile()) return undefined;
    const cleanDst = cleanRelativePath(dstPath);
    if (cleanDst === "" || (this.#bucketed && !cleanDst.includes("/"))) {
      throw new InvalidArgumentBackendError(`cannot write ${this.#label(cleanDst)}: a file path is required`);
    }
    const to = await this.#jail.resolve(cleanDst);
    await mkdir(dirname(to), { recursive: true }).catch((err: unknown) => {
      throw mapFsError(err, this.#label(cleanDst));
    });
    // Re-check after mkdir: a directory created above must still be inside the jail.
    await this.#jail.resolve(cleanDst);
    try {
      await rename(from, to);
    } catch (err) {
      if (errorCode(err) === "EXDEV") return undefined;
      throw mapFsError(err, this.#label(cleanDst));
    }
    return info.size;
  }

  /**
   * Copies a regular file of another local backend (or of this one) into place with the kernel's copy
   * (`copy_file_range`, a reflink where the filesystem has them), as Go's io.Copy between two files does for
   * rclone's local backend. Written under a temporary name, size-checked, fsynced where this backend fsyncs, then
   * renamed. Resolves to the size, or undefined when `src` is not a local backend or the source is not a regular
   * file (the caller streams instead). Copied bytes never pass the bandwidth limiter.
   */
  async copyFrom(src: Backend, srcPath: string, dstPath: string): Promise<number | undefined> {
    // Brand checks, not instanceof: a wrapped backend (a Proxy, e.g. a test's storage spy) passes instanceof but
    // has none of the private members, and must be used through its own methods (the caller streams instead).
    if (!(#jail in src) || !(#jail in this)) return undefined;
    const from = await src.#resolveExisting(cleanRelativePath(srcPath));
    const info = await lstat(from);
    if (!info.isFile()) return undefined;
    const cleanDst = cleanRelativePath(dstPath);
    if (cleanDst === "" || (this.#bucketed && !cleanDst.includes("/"))) {
      throw new InvalidArgumentBackendError(`cannot write ${this.#label(cleanDst)}: a file path is required`);
    }
    const to = await this.#jail.resolve(cleanDst);
    await mkdir(dirname(to), { recursive: true }).catch((err: unknown) => {
      throw mapFsError(err, this.#label(cleanDst));
    });
    // Re-check after mkdir: a directory created above must still be inside the jail.
    await this.#jail.resolve(cleanDst);
    const temp = tempNameFor(to);
    try {
      await copyFile(from, temp);
      const copied = (await stat(temp)).size;
      if (copied !== info.size) {
        throw new InvalidArgumentBackendError(
          `copy of ${this.#label(cleanDst)} changed size (${info.size} -> ${copied} bytes): the source changed`,
        );
      }
      if (this.#syncEachFile) await syncFile(temp);
      await rename(temp, to);
    } catch (err) {
      await unlink(temp).catch(() => {});
      throw mapFsError(err, this.#label(cleanDst));
    }
    return info.size;
  }

  async purge(dir: string): Promise<void> {
    const clean = cleanRelativePath(dir);
    if (clean === "" || (this.#bucketed && !clean.includes("/"))) {
      throw new PermissionBackendError(`refusing to purge the root of ${this.#label(clean)}`);
    }
    const full = await this.#resolveExisting(clean);
    await rm(full, { recursive: true, force: true });
  }

  async about(): Promise<AboutInfo> {
    const info = await statfs(await this.#jail.realRoot());
    const total = info.blocks * info.bsize;
    const free = info.bavail * info.bsize;
    return { total, free, used: total - info.bfree * info.bsize };
  }

  async #checkBucket(clean: string): Promise<void> {
    if (!this.#bucketed) return;
    const { bucket } = splitBucketPath(clean);
    const full = await this.#jail.resolve(bucket);
    const info = await stat(full).catch(() => undefined);
    if (info === undefined || !info.isDirectory()) {
      throw new NotFoundBackendError(`bucket not found: ${this.provider}:${bucket}`);
    }
  }

  async #resolveExisting(clean: string): Promise<string> {
    const full = await this.#resolveOrUndefined(clean);
    if (full === undefined) throw new NotFoundBackendError(`not found: ${this.#label(clean)}`);
    return full;
  }

  async #resolveOrUndefined(clean: string): Promise<string | undefined> {
    if (this.#bucketed && clean !== "") {
      try {
        await this.#checkBucket(clean);
      } catch (err) {
        if (err instanceof NotFoundBackendError) return undefined;
        throw err;
      }
    }
    const full = await this.#jail.resolve(clean);
    try {
      await lstat(full);
      return full;
    } catch (err) {
      const code = errorCode(err);
      if (code === "ENOENT" || code === "ENOTDIR") return undefined;
      throw mapFsError(err, this.#label(clean));
    }
  }

  #label(clean: string): string {
    return `${this.provider}:${clean}`;
  }
}

async function statEntry(full: string, path: string): Promise<ObjectEntry | undefined> {
  try {
    const info = await stat(full);
    return {
      path,
      name: baseName(path),
      size: info.isDirectory() ? 0 : info.size,
      modTime: info.mtime,
      isDir: info.isDirectory(),
    };
  } catch (err) {
    if (errorCode(err) === "ENOENT") return undefined; // removed while listing
    throw err;
  }
}

/** Bytes a FileSink collects before it writes them out: few write calls, little memory per transfer. */
const SINK_BUFFER = 256 * 1024;

/**
 * Writes every chunk to the open file, failing on more or fewer bytes than `options.size` (a source that lies about
 * its size) and when the signal aborts. The FileSink leaves the handle open (the caller fsyncs and closes it).
 */
async function writeAll(handle: FileHandle, chunks: AsyncIterable<Uint8Array>, options: WriteOptions, label: string) {
  const sink = Bun.file(handle.fd).writer({ highWaterMark: SINK_BUFFER });
  try {
    for await (const chunk of verifiedChunks(chunks, { expectedSize: options.size, label, md5: false })) {
      options.signal?.throwIfAborted();
      sink.write(chunk);
    }
    options.signal?.throwIfAborted();
  } catch (err) {
    // Nothing may stay pending on the handle the caller closes; the first failure is the one worth reporting.
    try {
      await sink.end();
    } catch {}
    throw err;
  }
  await sink.end();
}

/** fsync through a fresh handle (Bun's write streams over a FileHandle do not release it for sync). */
async function syncFile(path: string): Promise<void> {
  const handle = await open(path, "r+");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function tempNameFor(full: string): string {
  return join(dirname(full), `.${basename(full)}${PARTIAL_MARK}${randomBytes(6).toString("hex")}`);
}

/** Maps filesystem errors to backend errors the rc layer understands; others pass through. */
function mapFsError(err: unknown, label: string): unknown {
  const code = errorCode(err);
  if (code === "ENOENT" || code === "ENOTDIR") return new NotFoundBackendError(`not found: ${label}`);
  if (code === "EACCES" || code === "EPERM") return new PermissionBackendError(`permission denied: ${label}`);
  if (code === "EISDIR") return new InvalidArgumentBackendError(`${label} is a directory, not a file`);
  if (code === "ENOTEMPTY" || code === "EEXIST")
    return new InvalidArgumentBackendError(`${label}: ${code === "EEXIST" ? "already exists" : "directory not empty"}`);
  return err;
}
