import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { crc32 } from "node:zlib";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import type { RangeSource } from "./provider.ts";

/**
 * Uploads from a re-readable source (`RangeSource`) without holding parts in memory: each range is read once to
 * compute its MD5 and CRC32, then streamed with both as Content-MD5 and x-amz-checksum-crc32, so the server
 * still rejects a range that differs from what was checksummed (damaged on the way, or the file changed). The
 * SDK cannot replay a stream, so these requests go through a client without SDK retries and are retried here,
 * each attempt with a fresh stream of the range.
 */
export interface StreamedUploadOptions {
  /** For the streamed requests: a client with `maxAttempts: 1`. */
  streamClient: S3Client;
  /** For the small requests (create, complete, abort): the retrying client. */
  client: S3Client;
  params: Omit<PutObjectCommandInput, "Body">;
  source: RangeSource;
  maxAttempts: number;
  signal?: AbortSignal;
}

export interface StreamedResult {
  etag: string | undefined;
  /** MD5 of the whole object (single request), lowercase hex. */
  md5?: string;
  /** `md5(concat(part md5s))-N` (multipart). */
  multipartEtag?: string;
}

interface RangeSums {
  md5: Buffer;
  crc32: number;
}

async function checksumRange(source: RangeSource, start: number, end: number, signal?: AbortSignal) {
  const md5 = createHash("md5");
  let crc = 0;
  for await (const chunk of source.peek(start, end, signal)) {
    md5.update(chunk as Buffer);
    crc = crc32(chunk as Buffer, crc);
  }
  return { md5: md5.digest(), crc32: crc } satisfies RangeSums;
}

function checksumHeaders(sums: RangeSums) {
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(sums.crc32 >>> 0);
  return {
    ContentMD5: sums.md5.toString("base64"),
    ChecksumAlgorithm: "CRC32" as const,
    ChecksumCRC32: crc.toString("base64"),
  };
}

/** One PutObject streamed from the source. */
export async function putStreamed(options: StreamedUploadOptions): Promise<StreamedResult> {
  const { source } = options;
  const sums = await checksumRange(source, 0, source.size, options.signal);
  await source.checkUnchanged();
  const out = await sendRange(options, 0, source.size, (Body, abortSignal) =>
    options.streamClient.send(
      new PutObjectCommand({ ...options.params, Body, ContentLength: source.size, ...checksumHeaders(sums) }),
      { abortSignal },
    ),
  );
  return { etag: out.ETag, md5: sums.md5.toString("hex") };
}

/**
 * A multipart upload in `partSize` parts, `concurrency` parts in flight; the next part is checksummed while
 * the previous ones are sent. On any failure the upload is aborted, so nothing appears under the key and no
 * parts are left behind.
 */
export async function uploadMultipartStreamed(
  options: StreamedUploadOptions & { partSize: number; concurrency: number },
): Promise<StreamedResult> {
  const { client, source, signal, partSize } = options;
  const { Bucket, Key } = options.params;
  const created = await client.send(new CreateMultipartUploadCommand(options.params), { abortSignal: signal });
  const UploadId = created.UploadId;
  const parts: Array<{ ETag: string | undefined; PartNumber: number }> = [];
  const md5s: Buffer[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  try {
    const count = Math.max(1, Math.ceil(source.size / partSize));
    for (let index = 0; index < count && failure === undefined; index++) {
      const start = index * partSize;
      const end = Math.min(source.size, start + partSize);
      const sums = await checksumRange(source, start, end, signal);
      md5s.push(sums.md5);
      while (inFlight.size >= options.concurrency) await Promise.race(inFlight);
      if (failure !== undefined) break;
      const PartNumber = index + 1;
      const task: Promise<void> = sendRange(options, start, end, (Body, abortSignal) =>
        options.streamClient.send(
          new UploadPartCommand({
            Bucket,
            Key,
            UploadId,
            PartNumber,
            Body,
            ContentLength: end - start,
            ...checksumHeaders(sums),
          }),
          { abortSignal },
        ),
      )
        .then(
          (out) => {
            parts.push({ ETag: out.ETag, PartNumber });
          },
          (error: unknown) => {
            failure ??= { error };
          },
        )
        .finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure.error;
    await source.checkUnchanged();
    parts.sort((a, b) => a.PartNumber - b.PartNumber);
    const done = await client.send(
      new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }),
      { abortSignal: signal },
    );
    const multipartEtag = `${createHash("md5").update(Buffer.concat(md5s)).digest("hex")}-${md5s.length}`;
    return { etag: done.ETag, multipartEtag };
  } catch (error) {
    await Promise.all(inFlight);
    await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId })).catch(() => {});
    throw error;
  }
}

/**
 * Sends one range, retrying failures a retry can fix (no response, 5xx, throttling, a damaged body) with a
 * fresh stream each time, while the source is unchanged. A failing source stream aborts its request and is
 * what gets thrown.
 */
async function sendRange<T>(
  options: StreamedUploadOptions,
  start: number,
  end: number,
  send: (body: Readable, abortSignal: AbortSignal) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    // The SDK pipes the body into the request, and a pipe does not end the request when the body fails: the
    // body's failure aborts the request here.
    const bodyFailed = new AbortController();
    const abortSignal =
      options.signal === undefined ? bodyFailed.signal : AbortSignal.any([options.signal, bodyFailed.signal]);
    const body = options.source.open(start, end, options.signal);
    let bodyError: unknown;
    body.on("error", (error) => {
      bodyError ??= error;
      bodyFailed.abort(error);
    });
    try {
      return await send(body, abortSignal);
    } catch (error) {
      body.destroy();
      const cause = bodyError ?? error;
      if (bodyError !== undefined || options.signal?.aborted || attempt >= options.maxAttempts || !retryable(cause))
        throw cause;
      await options.source.checkUnchanged();
      await sleep(backoffMs(attempt), undefined, options.signal === undefined ? undefined : { signal: options.signal });
    }
  }
}

const RETRYABLE_NAMES = new Set([
  "BadDigest",
  "RequestTimeout",
  "SlowDown",
  "Throttling",
  "ThrottlingException",
  "RequestTimeTooSkewed",
  "InternalError",
  "ServiceUnavailable",
]);

function retryable(error: unknown): boolean {
  if (!(error instanceof Error) || error.name === "AbortError" || error.name === "CorruptedTransferError") return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status === undefined) return true; // no response: connection reset, timeout
  return status >= 500 || status === 429 || RETRYABLE_NAMES.has(error.name);
}

/** The SDK's standard backoff: full jitter over 100 ms doubling per attempt, at most 20 s. */
function backoffMs(attempt: number): number {
  return Math.random() * Math.min(20_000, 100 * 2 ** attempt);
}
