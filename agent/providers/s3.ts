import { addAbortSignal, pipeline, Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import {
  checkEtag,
  HashingStream,
  type HashingStreamOptions,
  type StreamDigest,
  unquoteEtag,
  verifiedChunks,
  webStreamChunks,
} from "../transfer/checksum.ts";
import { CorruptedTransferError } from "../transfer/errors.ts";
import { StreamChunker } from "./chunker.ts";
import type { S3Config } from "./config.ts";
import { type ListedItem, toEntries } from "./object-list.ts";
import { baseName, requireBucketPath, requireObjectPath } from "./path.ts";
import type { Backend, HttpCallRecorder, ListOptions, ObjectEntry, RangeSource, WriteOptions } from "./provider.ts";
import {
  addHttpCallRecorder,
  createS3Client,
  mapS3Error,
  type ResolvedS3Config,
  resolveS3Config,
} from "./s3-client.ts";
import { copyS3Object } from "./s3-copy.ts";
import { uploadMultipart } from "./s3-multipart.ts";
import { putStreamed, type StreamedResult, uploadMultipartStreamed } from "./s3-stream.ts";

/** S3 allows at most 10,000 parts per multipart upload. */
const MAX_PARTS = 10_000;
/** Single-PutObject buffers up to this size are recycled (SSTable components are mostly small files). */
const POOLED_BUFFER_MAX = 1024 * 1024;
/**
 * A full GC after this many uploads. Each SDK request leaves a few hundred KiB of JS objects and native buffers
 * behind, and a small heap collects them late: uploading thousands of small files drew a sawtooth of ~20 MiB
 * of RSS between collections. A full GC of the agent's ~20 MiB heap takes a few ms.
 */
const GC_EVERY_WRITES = 200;
/** How many recycled buffers are kept (enough for SM's usual `transfers`; more are allocated and left to the GC). */
const POOLED_BUFFER_COUNT = 4;

/** Files up to this size from a re-readable source are still sent from one (recycled) buffer, with SDK retries. */
const STREAMED_MIN = POOLED_BUFFER_MAX;

/** Creates the `s3` backend from the agent's `s3:` config section. */
export function createS3Backend(config: S3Config, recordHttpCall?: HttpCallRecorder): S3Backend {
  const resolved = resolveS3Config(config);
  const client = createS3Client(resolved);
  // Streamed bodies cannot be replayed by the SDK: their requests are retried by the backend (s3-stream.ts).
  const streamClient = createS3Client({ ...resolved, clientConfig: { ...resolved.clientConfig, maxAttempts: 1 } });
  if (recordHttpCall !== undefined) {
    addHttpCallRecorder(client, recordHttpCall);
    addHttpCallRecorder(streamClient, recordHttpCall);
  }
  return new S3Backend(client, resolved, streamClient);
}

/**
 * AWS S3 and S3-compatible stores through the official SDK. Uploads stream: a known size up to one chunk
 * is a single PutObject, anything else a multipart upload (`s3-multipart.ts`) of `chunk_size` parts with
 * `upload_concurrency` parts in flight, aborted on failure so no parts are left behind. Each request carries
 * Content-MD5 and the SDK's CRC32 checksum; after the upload the ETag is compared with the MD5 (or multipart MD5) computed
 * while streaming, and a mismatching object is deleted. Downloads are checked against ETag and length.
 */
export class S3Backend implements Backend {
  readonly provider = "s3";
  readonly isLocal = false;
  readonly client: S3Client;
  /** Sends the streamed uploads of `writeFrom` (no SDK retries; see s3-stream.ts). */
  readonly #streamClient: S3Client;
  readonly #config: ResolvedS3Config;
  /**
   * Free buffers for small single-part uploads. Without them every small file leaves its own native buffer to
   * the GC, and with the JS heap small the GC runs rarely: thousands of SSTable components raised RSS by tens of MiB.
   */
  readonly #freeBuffers: Buffer[] = [];
  #writesSinceGc = 0;

  constructor(client: S3Client, config: ResolvedS3Config, streamClient: S3Client = client) {
    this.client = client;
    this.#streamClient = streamClient;
    this.#config = config;
  }

  async *list(dir: string, options: ListOptions = {}): AsyncIterable<ObjectEntry> {
    const { bucket, key } = requireBucket(dir);
    const prefix = key === "" ? "" : `${key}/`;
    yield* toEntries(
      this.#listItems(bucket, prefix, options.recurse === true),
      options,
      key === "" ? undefined : `s3:${dir}`,
    );
  }

  async *#listItems(bucket: string, prefix: string, recurse: boolean): AsyncIterable<ListedItem> {
    let token: string | undefined;
    do {
      const page = await this.client
        .send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix,
            Delimiter: recurse ? undefined : "/",
            ContinuationToken: token,
          }),
        )
        .catch((err: unknown) => {
          throw mapS3Error(err, `list ${bucket}/${prefix}`);
        });
      for (const common of page.CommonPrefixes ?? []) {
        const rel = (common.Prefix ?? "").slice(prefix.length).replace(/\/$/, "");
        yield { kind: "prefix", rel, size: 0, modTime: new Date(0) };
      }
      for (const object of page.Contents ?? []) {
        const rel = (object.Key ?? "").slice(prefix.length);
        yield {
          kind: "object",
          rel,
          size: object.Size ?? 0,
          modTime: object.LastModified ?? new Date(0),
          // A listing's ETag is the one HEAD answers: the entry is what `stat` would return.
          md5: this.#md5OfEtag(object.ETag),
          complete: true,
        };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async stat(path: string): Promise<ObjectEntry | undefined> {
    const { bucket, key } = requireKey(path);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return {
        path: baseName(key),
        name: baseName(key),
        size: head.ContentLength ?? 0,
        modTime: head.LastModified ?? new Date(0),
        isDir: false,
        md5: this.#md5OfEtag(head.ETag),
      };
    } catch (err) {
      const mapped = mapS3Error(err, `stat ${path}`);
      if (mapped.name === "NotFoundBackendError") return undefined;
      throw mapped;
    }
  }

  /** The content's MD5 when the ETag is one (a single-part upload without SSE-KMS), else undefined. */
  #md5OfEtag(raw: string | undefined): string | undefined {
    const etag = unquoteEtag(raw);
    return this.#config.etagIsMd5 && etag !== undefined && /^[0-9a-f]{32}$/.test(etag) ? etag : undefined;
  }

  async read(path: string, signal?: AbortSignal): Promise<Readable> {
    const { body, check } = await this.#get(path, signal);
    const stream = body instanceof Readable ? body : Readable.fromWeb(body as WebReadableStream<Uint8Array>);
    return pipeline(stream, new HashingStream(check), () => {});
  }

  async readChunks(path: string, signal?: AbortSignal): Promise<AsyncIterable<Uint8Array>> {
    const { body, check } = await this.#get(path, signal);
    return verifiedChunks(body instanceof Readable ? body : webStreamChunks(body), check);
  }

  /** GETs an object: its body (a web stream under Bun's fetch, see s3-client.ts) and the checks it must pass. */
  async #get(
    path: string,
    signal: AbortSignal | undefined,
  ): Promise<{ body: Readable | ReadableStream<Uint8Array>; check: HashingStreamOptions }> {
    const { bucket, key } = requireKey(path);
    const object = await this.client
      .send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal })
      .catch((err: unknown) => {
        throw mapS3Error(err, `read ${path}`);
      });
    // Only a single-part upload's ETag is the content's MD5 (a multipart one is `md5(part md5s)-N` of unknown part
    // size); otherwise the length alone is checked and no MD5 is computed.
    const etagUsable =
      this.#config.etagIsMd5 &&
      object.SSECustomerAlgorithm === undefined &&
      object.ServerSideEncryption !== "aws:kms" &&
      /^[0-9a-f]{32}$/.test(unquoteEtag(object.ETag) ?? "");
    const check: HashingStreamOptions = {
      expectedSize: object.ContentLength,
      label: `s3:${path}`,
      md5: etagUsable,
      verify: (digest) =>
        etagUsable && checkEtag(object.ETag, digest) === "mismatch"
          ? new CorruptedTransferError(
              `corrupted download of s3:${path}: MD5 ${digest.md5} does not match ETag ${object.ETag}`,
            )
          : undefined,
    };
    return { body: object.Body as unknown as Readable | ReadableStream<Uint8Array>, check };
  }

  async write(path: string, body: Readable, options: WriteOptions = {}): Promise<void> {
    const { bucket, key } = requireKey(path);
    const partSize = Math.max(this.#config.chunkSize, Math.ceil((options.size ?? 0) / MAX_PARTS));
    const hasher = new HashingStream({ expectedSize: options.size, partSize, label: `s3:${path}` });
    let streamError: unknown;
    const input = pipeline(body, hasher, (err) => {
      streamError ??= err ?? undefined;
    });
    // Errors are taken from the pipeline callback; the SDK may drop its listener before the stream fails.
    input.on("error", () => {});
    if (options.signal !== undefined) addAbortSignal(options.signal, input); // stop reading the source at once
    let etag: string | undefined;
    try {
      if (options.size !== undefined && options.size <= partSize) {
        // One part: buffered (at most one chunk, as a multipart part would be) so the request carries
        // Content-MD5, can be retried by the SDK, and a failing source never reaches the wire.
        const buffer = this.#takeBuffer(options.size);
        const data = buffer.subarray(0, options.size);
        const chunker = new StreamChunker(input);
        // Reading on to the end lets the hasher finish its size check and digest.
        if ((await chunker.fill(data)) !== options.size || (await chunker.fill(Buffer.alloc(1))) !== 0) {
          throw new CorruptedTransferError(
            `corrupted transfer for s3:${path}: source size differs from ${options.size}`,
          );
        }
        const md5 = Buffer.from(hasher.digest!.md5, "hex").toString("base64");
        const put = new PutObjectCommand({ ...this.#params(bucket, key), Body: data, ContentMD5: md5 });
        etag = (await this.client.send(put, { abortSignal: options.signal })).ETag;
        // Only a finished request gives its buffer back; after a failure the SDK might still hold it.
        this.#giveBackBuffer(buffer);
      } else {
        etag = await uploadMultipart({
          client: this.client,
          params: this.#params(bucket, key),
          body: input,
          partSize,
          concurrency: this.#config.uploadConcurrency,
          signal: options.signal,
        });
      }
    } catch (err) {
      input.destroy();
      // The source's own failure (e.g. a size lie) explains more than the SDK's resulting request error.
      throw streamError instanceof Error ? streamError : mapS3Error(err, `upload ${path}`);
    }
    await this.#verifyUpload(bucket, key, path, etag, hasher.digest);
    this.#afterWrite();
  }

  /**
   * Uploads a file that can be re-read by range (a local file) without buffering it: each request's range is
   * checksummed first and then streamed with its Content-MD5 (`s3-stream.ts`), so memory per transfer stays at a
   * few read chunks per part in flight whatever `chunk_size` is. Small files go through `write` (one recycled
   * buffer, SDK retries).
   */
  async writeFrom(path: string, source: RangeSource, options: WriteOptions = {}): Promise<void> {
    const { size } = source;
    if (size <= STREAMED_MIN) {
      await this.write(path, source.open(0, size, options.signal), { size, signal: options.signal });
      return;
    }
    const { bucket, key } = requireKey(path);
    const partSize = Math.max(this.#config.chunkSize, Math.ceil(size / MAX_PARTS));
    const upload = {
      client: this.client,
      streamClient: this.#streamClient,
      params: this.#params(bucket, key),
      source,
      maxAttempts: this.#config.maxAttempts,
      signal: options.signal,
    };
    let result: StreamedResult;
    try {
      result =
        size <= partSize
          ? await putStreamed(upload)
          : await uploadMultipartStreamed({ ...upload, partSize, concurrency: this.#config.uploadConcurrency });
    } catch (err) {
      throw mapS3Error(err, `upload ${path}`);
    }
    // A multipart ETag is checked against the part MD5s; a plain one (some servers) only against the size.
    const digest = { size, md5: result.md5 ?? "", multipartEtag: result.multipartEtag };
    const plainEtagForMultipart = result.md5 === undefined && !/-\d+"?$/.test(result.etag ?? "");
    await this.#verifyUpload(bucket, key, path, result.etag, digest, plainEtagForMultipart);
    if (result.md5 !== undefined) {
      // A single request: the object is already visible; a source changed meanwhile must not stay there.
      await source.checkUnchanged().catch(async (err: unknown) => {
        await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => {});
        throw err;
      });
    }
    this.#afterWrite();
  }

  #afterWrite(): void {
    if (++this.#writesSinceGc >= GC_EVERY_WRITES) {
      this.#writesSinceGc = 0;
      Bun.gc(true);
    }
  }

  #takeBuffer(size: number): Buffer {
    if (size > POOLED_BUFFER_MAX) return Buffer.allocUnsafe(size);
    const index = this.#freeBuffers.findIndex((b) => b.length >= size);
    if (index >= 0) return this.#freeBuffers.splice(index, 1)[0]!;
    // Power-of-two sizes from 64 KiB let one buffer serve the many differently sized files that follow.
    return Buffer.allocUnsafeSlow(Math.max(64 * 1024, 2 ** Math.ceil(Math.log2(Math.max(size, 1)))));
  }

  #giveBackBuffer(buffer: Buffer): void {
    if (buffer.length > POOLED_BUFFER_MAX) return;
    if (this.#freeBuffers.length < POOLED_BUFFER_COUNT) this.#freeBuffers.push(buffer);
    else {
      // Keep the largest ones: they serve every smaller file.
      const smallest = this.#freeBuffers.reduce((min, b, i, all) => (b.length < all[min]!.length ? i : min), 0);
      if (this.#freeBuffers[smallest]!.length < buffer.length) this.#freeBuffers[smallest] = buffer;
    }
  }

  #params(bucket: string, key: string): PutParams {
    return { Bucket: bucket, Key: key, ...this.#config.objectParams };
  }

  async #verifyUpload(
    bucket: string,
    key: string,
    path: string,
    etag: string | undefined,
    digest: StreamDigest | undefined,
    unverifiable = false,
  ) {
    const check =
      digest === undefined || !this.#config.etagIsMd5 || unverifiable ? "unverifiable" : checkEtag(etag, digest);
    let problem: string | undefined;
    if (check === "mismatch") problem = `ETag ${etag} does not match the streamed MD5 ${digest?.md5}`;
    else if (check === "unverifiable" && digest !== undefined) {
      const stored = await this.stat(path);
      if (stored?.size !== digest.size)
        problem = `stored size ${stored?.size} differs from the ${digest.size} bytes sent`;
    }
    if (problem === undefined) return;
    await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => {});
    throw new CorruptedTransferError(`corrupted transfer to s3:${path}: ${problem}; the object was removed`);
  }

  async delete(path: string): Promise<void> {
    const { bucket, key } = requireKey(path);
    await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch((err: unknown) => {
      const mapped = mapS3Error(err, `delete ${path}`);
      if (mapped.name === "NotFoundBackendError" && !mapped.message.includes("bucket")) return;
      throw mapped;
    });
  }

  async copy(src: string, dst: string): Promise<void> {
    const from = requireKey(src);
    const to = requireKey(dst);
    const stat = await this.stat(src);
    if (stat === undefined)
      throw mapS3Error(Object.assign(new Error("no such key"), { name: "NoSuchKey" }), `copy ${src}`);
    await copyS3Object(this.client, from, to, stat.size, this.#config).catch((err: unknown) => {
      throw mapS3Error(err, `copy ${src} to ${dst}`);
    });
  }

  async purge(dir: string): Promise<void> {
    const { bucket, key } = requireBucket(dir);
    const prefix = key === "" ? "" : `${key}/`;
    let batch: string[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const objects = batch.map((Key) => ({ Key }));
      batch = [];
      const out = await this.client
        .send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }))
        .catch((err: unknown) => {
          throw mapS3Error(err, `purge ${dir}`);
        });
      const failed = out.Errors?.[0];
      if (failed !== undefined) throw new Error(`s3: purge ${dir}: ${failed.Key}: ${failed.Code} ${failed.Message}`);
    };
    for await (const item of this.list(dir, { recurse: true, filesOnly: true })) {
      batch.push(prefix + item.path);
      if (batch.length === 1000) await flush();
    }
    await flush();
  }
}

type PutParams = ConstructorParameters<typeof PutObjectCommand>[0];

function requireBucket(path: string): { bucket: string; key: string } {
  return requireBucketPath(path, "s3");
}

function requireKey(path: string): { bucket: string; key: string } {
  return requireObjectPath(path, "s3");
}
