import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runProviderSuite } from "../../test/external/provider-suite.ts";
import { createDataBackend, createLocalstorageBackend } from "./data.ts";

runProviderSuite("data", async () => {
  const dir = await mkdtemp(join(tmpdir(), "sm-data-suite-"));
  return {
    backend: createDataBackend(dir),
    root: "ks/table-0123",
    // `data` has no buckets; a missing keyspace directory stands in for one.
    missingBucketPath: "no_such_keyspace",
    writesCreateBuckets: true,
    badCredentials: { skip: "the data provider has no credentials (jail escapes are covered by jail.test.ts)" },
    close: () => rm(dir, { recursive: true, force: true }),
  };
});

runProviderSuite("localstorage", async () => {
  const dir = await mkdtemp(join(tmpdir(), "sm-localstorage-suite-"));
  await mkdir(join(dir, "bucket"));
  return {
    backend: createLocalstorageBackend(dir),
    root: "bucket/run",
    missingBucketPath: "no-such-bucket",
    writesCreateBuckets: true,
    badCredentials: { skip: "localstorage has no credentials" },
    close: () => rm(dir, { recursive: true, force: true }),
  };
});
