import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  type S3Client,
  UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import type { ResolvedS3Config } from "./s3-client.ts";

/** CopyObject handles up to 5 GiB; larger objects are copied part by part on the server. */
const SINGLE_COPY_LIMIT = 5 * 1024 ** 3;
const COPY_PART_SIZE = 1024 ** 3;

interface Location {
  bucket: string;
  key: string;
}

/**
 * Server-side copy (no bytes through the agent); used for SM's versioning suffix. `limits` exist for tests
 * (S3's real limits make the multipart path need a 5 GiB object).
 */
export async function copyS3Object(
  client: S3Client,
  from: Location,
  to: Location,
  size: number,
  config: ResolvedS3Config,
  limits: { singleCopyLimit?: number; partSize?: number } = {},
): Promise<void> {
  const source = `${from.bucket}/${encodeKey(from.key)}`;
  const partSize = limits.partSize ?? COPY_PART_SIZE;
  if (size <= (limits.singleCopyLimit ?? SINGLE_COPY_LIMIT)) {
    await client.send(
      new CopyObjectCommand({ Bucket: to.bucket, Key: to.key, CopySource: source, ...config.objectParams }),
    );
    return;
  }
  const created = await client.send(
    new CreateMultipartUploadCommand({ Bucket: to.bucket, Key: to.key, ...config.objectParams }),
  );
  const uploadId = created.UploadId;
  try {
    const parts: Array<{ ETag: string | undefined; PartNumber: number }> = [];
    for (let offset = 0, part = 1; offset < size; offset += partSize, part++) {
      const end = Math.min(offset + partSize, size) - 1;
      const out = await client.send(
        new UploadPartCopyCommand({
          Bucket: to.bucket,
          Key: to.key,
          UploadId: uploadId,
          PartNumber: part,
          CopySource: source,
          CopySourceRange: `bytes=${offset}-${end}`,
        }),
      );
      parts.push({ ETag: out.CopyPartResult?.ETag, PartNumber: part });
    }
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: to.bucket,
        Key: to.key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
  } catch (err) {
    await client
      .send(new AbortMultipartUploadCommand({ Bucket: to.bucket, Key: to.key, UploadId: uploadId }))
      .catch(() => {});
    throw err;
  }
}

/** URL-encodes a key for CopySource, keeping `/` separators. */
function encodeKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, "/");
}
