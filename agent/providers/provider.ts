import type { Readable } from "node:stream";

/**
 * A storage backend behind an rclone-style remote `<provider>:<bucket>/<path>`.
 *
 * The rc layer (`agent/rc/`) parses remotes and enforces SM's hardening rules; a backend only moves bytes.
 * Paths given to a backend are relative to its root: for object stores `<bucket>/<key>`, for `data` and
 * `localstorage` a path below the jail root. Backends must never make a partially written object visible
 * under its final name.
 */

export interface ObjectEntry {
  /** Path relative to the listed directory, '/'-separated. */
  path: string;
  /** Last path segment. */
  name: string;
  size: number;
  modTime: Date;
  isDir: boolean;
  /**
   * MD5 of the content (lowercase hex) where the backend stores one cheaply (`stat` of object stores;
   * not multipart S3 uploads). Absent means unknown, never "empty".
   */
  md5?: string;
  /**
   * Set on listing entries that carry everything `stat` would answer for the file (size and `md5` as `stat`
   * computes it), so a caller holding the listing need not `stat` the file again.
   */
  complete?: true;
  /** Object retention (backends with object locks, when listed with `lockInfo`): absent = none. */
  retention?: ObjectRetention;
  /** Event-based hold (backends with object locks, when listed with `lockInfo`). */
  eventBasedHold?: boolean;
}

/** An object's retention: it cannot be deleted or replaced before `retainUntil`. */
export interface ObjectRetention {
  /** `unlocked`: the retention can be shortened or removed with an explicit override; `locked`: never. */
  mode: "unlocked" | "locked";
  retainUntil: Date;
}

export interface ListOptions {
  recurse?: boolean;
  dirsOnly?: boolean;
  filesOnly?: boolean;
  /** Fill `retention` and `eventBasedHold` of files (object-lock backends; others ignore it). */
  lockInfo?: boolean;
}

export interface WriteOptions {
  /** Known size in bytes, when the source knows it (lets object stores pick multipart sizes). */
  size?: number;
  /** Abort the transfer. */
  signal?: AbortSignal;
}

/**
 * A source file that can be read again by byte range. Offered to destinations that must know a part's checksum
 * before sending it (S3's Content-MD5) but should not hold the part in memory: they checksum a range with `peek`,
 * then send the same range with `open`. Every range stream yields exactly `end - start` bytes or fails.
 */
export interface RangeSource {
  /** Size when the transfer started. */
  readonly size: number;
  /** Bytes [start, end) for the wire: through the bandwidth limit. */
  open(start: number, end: number, signal?: AbortSignal): Readable;
  /** Bytes [start, end) for a checksum pass: not throttled. */
  peek(start: number, end: number, signal?: AbortSignal): Readable;
  /** Throws CorruptedTransferError when the source's size or modification time changed since the transfer started. */
  checkUnchanged(): Promise<void>;
}

/** An open file whose byte ranges can be read, also concurrently, until it is closed. */
export interface RangeReader {
  readonly size: number;
  /** Bytes [start, end); ends early when the file has shrunk. */
  read(start: number, end: number, signal?: AbortSignal): Readable;
  /** True while the file has the size and modification time it had when it was opened. */
  unchanged(): Promise<boolean>;
  close(): Promise<void>;
}

export interface AboutInfo {
  total: number;
  used: number;
  free: number;
}

export interface Backend {
  /** Provider name as used in remotes: `data`, `localstorage`, `s3`, `gcs`, `azure`. */
  readonly provider: string;
  /** True for backends on this node's disk (`data`, `localstorage`): SM's "local" side of movedir/copypaths. */
  readonly isLocal: boolean;

  /** Lists the entries under `dir` ("" = root). Throws `NotFoundBackendError` when the directory/bucket does not exist. */
  list(dir: string, options?: ListOptions): AsyncIterable<ObjectEntry>;
  /** Metadata of one file (its `path` is the last segment, like `name`), or undefined when missing. */
  stat(path: string): Promise<ObjectEntry | undefined>;
  /** Reads a whole file as a stream. Throws `NotFoundBackendError` when missing. */
  read(path: string, signal?: AbortSignal): Promise<Readable>;
  /** Writes a file from a stream; visible under `path` only when complete and verified. */
  write(path: string, body: Readable, options?: WriteOptions): Promise<void>;
  /**
   * `read` without Node streams: the file's bytes as chunks, checked as `read` checks them (the iteration throws
   * instead of ending on a short, long or corrupt body). Stopping early releases the connection.
   */
  readChunks?(path: string, signal?: AbortSignal): Promise<AsyncIterable<Uint8Array>>;
  /**
   * `write` from chunks (same guarantees), without Node stream stages: what a transfer into a local disk uses
   * (a Readable is such an iterable too).
   */
  writeChunks?(path: string, chunks: AsyncIterable<Uint8Array>, options?: WriteOptions): Promise<void>;
  /**
   * Opens a file for reading by byte range (local disks). With `writeFrom` of the destination, lets a transfer
   * read a file twice instead of buffering it.
   */
  openRanges?(path: string): Promise<RangeReader>;
  /**
   * Writes a file from a source that can be re-read by range (same guarantees as `write`). Destinations that
   * need a checksum before sending implement it to stream instead of buffering; callers use `write` otherwise.
   */
  writeFrom?(path: string, source: RangeSource, options?: WriteOptions): Promise<void>;
  /** Deletes one file. Missing files are not an error. */
  delete(path: string): Promise<void>;
  /** Server-side rename/copy where the backend can; used for versioning suffixes. */
  copy(src: string, dst: string): Promise<void>;
  /**
   * Renames a file where the backend can do it natively (local disks); callers fall back to copy + delete
   * when it is missing.
   */
  move?(src: string, dst: string): Promise<void>;
  /**
   * Takes over file `srcPath` of backend `src` by renaming it to `dstPath` (rclone's local backend moves by
   * rename when it can). Resolves to the file's size, or undefined when a rename is impossible (`src` is not a
   * local backend, the source is not a regular file, or the two are on different filesystems) and the caller
   * must copy and delete instead. The rename replaces `dstPath` atomically; keeping an older, different
   * `dstPath` (the versioning suffix) is the caller's job, done before calling this.
   */
  moveFrom?(src: Backend, srcPath: string, dstPath: string): Promise<number | undefined>;
  /**
   * Copies file `srcPath` of backend `src` to `dstPath` without streaming it through this process (local disks:
   * the kernel's copy). Resolves to the size, or undefined when it cannot (then the caller streams).
   */
  copyFrom?(src: Backend, srcPath: string, dstPath: string): Promise<number | undefined>;
  /** Removes a directory tree (object stores: every key under the prefix). */
  purge(dir: string): Promise<void>;
  /** Disk space, where the backend has a meaningful answer (local disks). */
  about?(): Promise<AboutInfo>;
  /**
   * Object locks (GCS). `setRetention` sets an object's retention (null removes it); shortening or removing an `unlocked` one needs
   * `overrideUnlocked`, a `locked` one can only be extended. `setEventBasedHold` sets or releases the object's hold.
   * Both throw `NotFoundBackendError` for a missing object. Backends without object locks leave them out, or throw
   * `NotSupportedBackendError` (lazy backends, whose loaded backend lacks them).
   */
  setRetention?(path: string, retention: ObjectRetention | null, options: { overrideUnlocked: boolean }): Promise<void>;
  setEventBasedHold?(path: string, hold: boolean): Promise<void>;
}

/** One HTTP call of an object-store SDK (`scylla_manager_agent_rclone_http_status_code{host,method,code}`). */
export interface HttpCallRecord {
  host: string;
  method: string;
  code: number;
}

/** Receives every HTTP response status an object-store backend gets, retries included. */
export type HttpCallRecorder = (call: HttpCallRecord) => void;

/** Raised by backends for missing files, directories or buckets; the rc layer maps it to 404. */
export class NotFoundBackendError extends Error {
  override name = "NotFoundBackendError";
}

/** Raised by backends for permission problems (wrong credentials, jail escapes); the rc layer maps it to 403. */
export class PermissionBackendError extends Error {
  override name = "PermissionBackendError";
}

/** Raised for an operation the backend does not have (object locks outside GCS); the rc layer maps it to 400. */
export class NotSupportedBackendError extends Error {
  override name = "NotSupportedBackendError";
}

/** Raised by backends for requests that cannot work as given (no bucket in the path, a directory where a file is needed); the rc layer maps it to 400. */
export class InvalidArgumentBackendError extends Error {
  override name = "InvalidArgumentBackendError";
}
