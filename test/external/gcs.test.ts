import { randomBytes } from "node:crypto";
import { createGcsBackend } from "../../agent/providers/gcs.ts";
import { runProviderSuite } from "./provider-suite.ts";

const endpoint = process.env.SM_EXT_GCS_ENDPOINT;
const skip =
  process.env.SM_EXT_GCS_SKIP ??
  (endpoint ? undefined : "no fake-gcs-server running: use test/external/run.sh, which starts one");

runProviderSuite(
  "gcs (fake-gcs-server)",
  async () => {
    const backend = createGcsBackend({ endpoint });
    const bucket = `sm-suite-${randomBytes(4).toString("hex")}`;
    await backend.storage.createBucket(bucket);
    return {
      backend,
      root: `${bucket}/run`,
      missingBucketPath: `no-such-bucket-${randomBytes(4).toString("hex")}/dir`,
      badCredentials: { skip: "fake-gcs-server does not check credentials" },
      close: async () => {
        await backend.storage
          .bucket(bucket)
          .delete()
          .catch(() => {});
      },
    };
  },
  skip,
);
