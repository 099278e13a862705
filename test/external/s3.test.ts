import { describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { CreateBucketCommand, DeleteBucketCommand, ListMultipartUploadsCommand } from "@aws-sdk/client-s3";
import { createS3Backend } from "../../agent/providers/s3.ts";
import { resolveS3Config } from "../../agent/providers/s3-client.ts";
import { copyS3Object } from "../../agent/providers/s3-copy.ts";
import { runProviderSuite } from "./provider-suite.ts";
import { s3TierSkipReason } from "./tier-s3.ts";

const env = process.env;
const endpoint = env.SM_EXT_S3_ENDPOINT;
const server = env.SM_EXT_S3_SERVER ?? "minio";
const skip = s3TierSkipReason;

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

describe.skipIf(skip !== undefined)(`s3 (${server}) credentials`, () => {
  test("env_auth takes keys from the environment (the SDK default chain)", async () => {
    const saved = { id: env.AWS_ACCESS_KEY_ID, secret: env.AWS_SECRET_ACCESS_KEY };
    env.AWS_ACCESS_KEY_ID = env.SM_EXT_S3_KEY;
    env.AWS_SECRET_ACCESS_KEY = env.SM_EXT_S3_SECRET;
    try {
      const backend = createS3Backend({ provider: "Minio", endpoint });
      const bucket = `sm-env-${randomBytes(4).toString("hex")}`;
      await backend.client.send(new CreateBucketCommand({ Bucket: bucket }));
      await backend.write(`${bucket}/k.txt`, Readable.from([Buffer.from("env")]), { size: 3 });
      expect((await backend.stat(`${bucket}/k.txt`))?.size).toBe(3);
      await backend.purge(bucket);
      await backend.client.send(new DeleteBucketCommand({ Bucket: bucket }));
    } finally {
      env.AWS_ACCESS_KEY_ID = saved.id;
      env.AWS_SECRET_ACCESS_KEY = saved.secret;
      if (saved.id === undefined) delete env.AWS_ACCESS_KEY_ID;
      if (saved.secret === undefined) delete env.AWS_SECRET_ACCESS_KEY;
    }
  });

  test.skipIf(server === "moto")(
    "env_auth off and no keys means anonymous requests, which a private bucket refuses",
    async () => {
      const backend = createS3Backend({ provider: "Minio", endpoint, env_auth: false });
      const list = async () => {
        for await (const _ of backend.list("some-bucket")) {
        }
      };
      await expect(list()).rejects.toMatchObject({ name: "PermissionBackendError" });
    },
  );
});

describe.skipIf(skip !== undefined)(`s3 (${server}) server-side copy`, () => {
  test("objects over the single-copy limit are copied part by part, byte-identical", async () => {
    const backend = createS3Backend({
      provider: (env.SM_EXT_S3_PROVIDER ?? "Minio") as "Minio",
      endpoint,
      access_key_id: env.SM_EXT_S3_KEY,
      secret_access_key: env.SM_EXT_S3_SECRET,
    });
    const bucket = `sm-copy-${randomBytes(4).toString("hex")}`;
    await backend.client.send(new CreateBucketCommand({ Bucket: bucket }));
    try {
      const size = 12 * 1024 * 1024 + 123;
      const data = randomBytes(size);
      await backend.write(`${bucket}/src.db`, Readable.from([data]), { size });
      const resolved = resolveS3Config({ provider: "Minio", endpoint });
      await copyS3Object(backend.client, { bucket, key: "src.db" }, { bucket, key: "dst.db" }, size, resolved, {
        singleCopyLimit: 1024,
        partSize: 5 * 1024 * 1024,
      });
      const copied = await readBytes(backend, `${bucket}/dst.db`);
      expect(copied.length).toBe(size);
      expect(copied.equals(data)).toBe(true);
    } finally {
      await backend.purge(bucket).catch(() => {});
      await backend.client.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => {});
    }
  });
});

async function readBytes(backend: ReturnType<typeof createS3Backend>, path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await backend.read(path)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
