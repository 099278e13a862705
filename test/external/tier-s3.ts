/**
 * The external tier's S3-compatible server as the suites see it: why a suite skips when run.sh did not start one,
 * and an AWS SDK client straight to it (never through a test proxy) for creating buckets and checking objects.
 * @module
 */
import { S3Client } from "@aws-sdk/client-s3";

const env = process.env;

/** Why the S3 suites skip, or undefined when run.sh started a server (`SM_EXT_S3_ENDPOINT`). */
export const s3TierSkipReason: string | undefined =
  env.SM_EXT_S3_SKIP ??
  (env.SM_EXT_S3_ENDPOINT ? undefined : "no S3 server running: use test/external/run.sh, which starts one");

/** A path-style client with the tier's keys. */
export function tierS3Client(): S3Client {
  return new S3Client({
    endpoint: env.SM_EXT_S3_ENDPOINT,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: env.SM_EXT_S3_KEY ?? "", secretAccessKey: env.SM_EXT_S3_SECRET ?? "" },
  });
}
