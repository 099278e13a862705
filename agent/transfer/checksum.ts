import { createHash, type Hash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { CorruptedTransferError } from "./errors.ts";

/** What a hashing stream saw once it has ended. */
export interface StreamDigest {
  size: number;
  /** MD5 of the whole stream, lowercase hex. */
  md5: string;
  /** S3 multipart ETag for the configured part size (`md5(concat(part md5s))-N`), when a part size was given. */
  multipartEtag?: string;
}

export interface HashingStreamOptions {
  /** Declared size: more bytes fail at once, fewer fail at the end (a source that lies about its size). */
  expectedSize?: number;
  /** Computes the S3 multipart ETag for parts of this size too. */
  partSize?: number;
  /**
   * Hashes nothing when false: only the size is checked (`digest.md5` is then ""). MD5 costs as much CPU as
   * receiving the bytes, so a stream whose digest nobody reads (a local write, a download whose ETag is not an
   * MD5) only counts.
   */
  md5?: boolean;
  /** Label used in error messages, e.g. the destination path. */
  label?: string;
  /**
   * Last check before the stream ends (e.g. against a download's ETag): an error returned here fails the
   * stream instead of ending it, so a consumer never sees a clean end of corrupt data.
   */
  verify?: (digest: StreamDigest) => Error | undefined;
}

/**
 * A pass-through stream that hashes and counts what flows through it, so a transfer is checked without
 * buffering: the digest is ready when the stream ends. A size mismatch against `expectedSize` is raised as a
 * stream error, which aborts whatever is consuming it before the upload can complete.
 */
export class HashingStream extends Transform {
  #md5: Hash | undefined;
  #size = 0;
  #digest: StreamDigest | undefined;
  readonly #options: HashingStreamOptions;
  #part: { hash: Hash; filled: number; md5s: Buffer[] } | undefined;

  constructor(options: HashingStreamOptions = {}) {
    super();
    this.#options = options;
    if (options.md5 !== false) this.#md5 = createHash("md5");
    if (options.partSize !== undefined && options.partSize > 0) {
      this.#part = { hash: createHash("md5"), filled: 0, md5s: [] };
    }
  }

  /** The digest; undefined until the stream has ended. */
  get digest(): StreamDigest | undefined {
    return this.#digest;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#size += chunk.length;
    const expected = this.#options.expectedSize;
    if (expected !== undefined && this.#size > expected) {
      callback(this.#sizeError(`more than ${expected} bytes`));
      return;
    }
    this.#md5?.update(chunk);
    if (this.#part !== undefined) this.#updateParts(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const expected = this.#options.expectedSize;
    if (expected !== undefined && this.#size !== expected) {
      callback(this.#sizeError(`${this.#size} bytes`));
      return;
    }
    const digest: StreamDigest = { size: this.#size, md5: this.#md5?.digest("hex") ?? "" };
    const part = this.#part;
    if (part !== undefined) {
      if (part.filled > 0 || part.md5s.length === 0) part.md5s.push(part.hash.digest());
      digest.multipartEtag = `${createHash("md5").update(Buffer.concat(part.md5s)).digest("hex")}-${part.md5s.length}`;
    }
    this.#digest = digest;
    callback(this.#options.verify?.(digest));
  }

  #updateParts(chunk: Buffer): void {
    const part = this.#part!;
    const partSize = this.#options.partSize!;
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(partSize - part.filled, chunk.length - offset);
      part.hash.update(chunk.subarray(offset, offset + take));
      part.filled += take;
      offset += take;
      if (part.filled === partSize) {
        part.md5s.push(part.hash.digest());
        part.hash = createHash("md5");
        part.filled = 0;
      }
    }
  }

  #sizeError(got: string): CorruptedTransferError {
    const where = this.#options.label === undefined ? "" : ` for ${this.#options.label}`;
    return new CorruptedTransferError(
      `corrupted transfer${where}: source declared ${this.#options.expectedSize} bytes but sent ${got}`,
    );
  }
}

/** Unquotes an ETag header value. */
export function unquoteEtag(etag: string | undefined): string | undefined {
  if (etag === undefined) return undefined;
  return etag.replace(/^W\//, "").replace(/^"|"$/g, "").toLowerCase();
}

/**
 * Checks an object store's ETag against what was streamed. ETags that are not MD5-based (SSE-KMS, SSE-C,
 * some S3-compatible servers) cannot be checked and return "unverifiable".
 */
export function checkEtag(etag: string | undefined, digest: StreamDigest): "ok" | "mismatch" | "unverifiable" {
  const clean = unquoteEtag(etag);
  if (clean === undefined) return "unverifiable";
  if (/^[0-9a-f]{32}$/.test(clean)) return clean === digest.md5 ? "ok" : "mismatch";
  if (/^[0-9a-f]{32}-\d+$/.test(clean)) {
    if (digest.multipartEtag === undefined) return "unverifiable";
    return clean === digest.multipartEtag ? "ok" : "mismatch";
  }
  return "unverifiable";
}

/**
 * HashingStream's checks on an iterable of chunks, for transfers that skip Node streams: each chunk is counted
 * (and hashed unless `md5` is false) before it is passed on, and the iteration throws instead of ending when the
 * size differs from `expectedSize` or `verify` rejects the digest.
 */
export async function* verifiedChunks(
  chunks: AsyncIterable<Uint8Array>,
  options: Omit<HashingStreamOptions, "partSize">,
): AsyncIterable<Uint8Array> {
  const md5 = options.md5 === false ? undefined : createHash("md5");
  const expected = options.expectedSize;
  const where = options.label === undefined ? "" : ` for ${options.label}`;
  const sizeError = (got: string) =>
    new CorruptedTransferError(`corrupted transfer${where}: source declared ${expected} bytes but sent ${got}`);
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.length;
    if (expected !== undefined && size > expected) throw sizeError(`more than ${expected} bytes`);
    md5?.update(chunk);
    yield chunk;
  }
  if (expected !== undefined && size !== expected) throw sizeError(`${size} bytes`);
  const failure = options.verify?.({ size, md5: md5?.digest("hex") ?? "" });
  if (failure !== undefined) throw failure;
}

/** The chunks of a web stream; stopping early cancels it (for a fetch body: closes the connection). */
export async function* webStreamChunks(stream: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  const reader = stream.getReader();
  let done = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) {
        done = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => {});
  }
}
