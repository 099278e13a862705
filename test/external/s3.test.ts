import { randomBytes } from "node:crypto";
import { CreateBucketCommand, DeleteBucketCommand, ListMultipartUploadsCommand } from "@aws-sdk/client-s3";
import { createS3Backend } from "../../agent/providers/s3.ts";
import { runProviderSuite } from "./provider-suite.ts";

const env = process.env;
const endpoint = env.SM_EXT_S3_ENDPOINT;
const server = env.SM_EXT_S3_SERVER ?? "minio";
const skip =
  env.SM_EXT_S3_SKIP ?? (endpoint ? undefined : "no S3 server running: use test/external/run.sh, which starts one");

runProviderSuite(
  `s3 (${server})`,
  async () => {
    const config = {
      provider: (env.SM_EXT_S3_PROVIDER ?? "Minio") as "Minio",
      endpoint,
      access_key_id: env.SM_EXT_S3_KEY,
      secret_access_key: env.SM_EXT_S3_SECRET,
    };
    const backend = createS3Backend(config);
    const bucket = `sm-suite-${randomBytes(4).toString("hex")}`;
    await backend.client.send(new CreateBucketCommand({ Bucket: bucket }));
    const root = `${bucket}/run`;
    return {
      backend,
      root,
      missingBucketPath: `no-such-bucket-${randomBytes(4).toString("hex")}/dir`,
      badCredentials:
        server === "moto"
          ? { skip: "moto accepts any credentials" }
          : { backend: createS3Backend({ ...config, secret_access_key: "wrong-secret" }), path: root },
      countIncompleteUploads: async () => {
        const out = await backend.client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: "run/" }));
        return out.Uploads?.length ?? 0;
      },
      close: async () => {
        await backend.purge(bucket).catch(() => {});
        await backend.client.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => {});
        backend.client.destroy();
      },
    };
  },
  skip,
);
