import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  type PutObjectCommandInput,
  type S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { readParts } from "./chunker.ts";

export interface MultipartOptions {
  client: S3Client;
  params: Omit<PutObjectCommandInput, "Body">;
  body: Readable;
  partSize: number;
  /** Parts uploaded at once (`upload_concurrency`). */
  concurrency: number;
  signal?: AbortSignal;
}

/**
 * A multipart upload that holds at most `concurrency + 1` part buffers, recycled between parts: one being
 * filled from the stream and `concurrency` in flight. Every part carries its Content-MD5, so the server
 * rejects a part damaged on the way. On any failure the upload is aborted, so no parts are left behind
 * and nothing appears under the key. Returns the ETag of the completed object.
 */
export async function uploadMultipart(options: MultipartOptions): Promise<string | undefined> {
  const { client, params, signal } = options;
  const { Bucket, Key } = params;
  const created = await client.send(new CreateMultipartUploadCommand(params), { abortSignal: signal });
  const uploadId = created.UploadId;
  const parts: Array<{ ETag: string | undefined; PartNumber: number }> = [];
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  try {
    let partNumber = 0;
    for await (const part of readParts(options.body, options.partSize, options.concurrency + 1)) {
      const number = ++partNumber;
      const md5 = createHash("md5").update(part.data).digest("base64");
      const command = new UploadPartCommand({
        Bucket,
        Key,
        UploadId: uploadId,
        PartNumber: number,
        Body: part.data,
        ContentMD5: md5,
      });
      const task: Promise<void> = client
        .send(command, { abortSignal: signal })
        .then(
          (out) => {
            parts.push({ ETag: out.ETag, PartNumber: number });
          },
          (error: unknown) => {
            failure ??= { error };
          },
        )
        .finally(() => {
          inFlight.delete(task);
          part.release();
        });
      inFlight.add(task);
      while (inFlight.size >= options.concurrency) await Promise.race(inFlight);
      if (failure !== undefined) break;
    }
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure.error;
    parts.sort((a, b) => a.PartNumber - b.PartNumber);
    const done = await client.send(
      new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
      { abortSignal: signal },
    );
    return done.ETag;
  } catch (error) {
    await Promise.all(inFlight);
    await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId })).catch(() => {});
    throw error;
  }
}
