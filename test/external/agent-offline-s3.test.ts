import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { runBenchmarkCommand } from "../../agent/benchmark/command.ts";
import { runDownloadFiles } from "../../agent/download/command.ts";
import { captureCommand } from "../../agent/offline/testing.ts";
import { emptyManifestHeader, encodeManifest, manifestPath, sstVersionDir } from "../../src/backup/layout/index.ts";
import { listBucket } from "./backup-s3-bucket.ts";
import { s3TierSkipReason, tierS3Client } from "./tier-s3.ts";

// The agent's offline commands against a real S3 server (MinIO or moto, started by test/external/run.sh, which
// exports SM_EXT_S3_*): `benchmark` uploads a scenario and leaves nothing behind; `download-files` lists and
// downloads an SM-layout backup put into the bucket with the AWS SDK, including a file a later backup replaced.
const env = process.env;
const skip = s3TierSkipReason;
if (skip !== undefined) console.log(`agent-offline-s3 SKIPPED: ${skip}`);

const BUCKET = "agent-offline";
const CLUSTER = "5b1c0f0e-2f1d-4c55-9a7e-3b0c6a1d2e01";
const NODE = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a";
const TASK = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
const OLD = "sm_20250301000000UTC";
const NEW = "sm_20250302000000UTC";
const VERSION = "0123456789abcdef0123456789abcdef";
let root: string;
let config: string;
let client: S3Client;

const capture = captureCommand;
const download = (...argv: string[]) => captureCommand(runDownloadFiles, ["-c", config, "-L", `s3:${BUCKET}`, ...argv]);

const put = (key: string, body: string | Uint8Array) =>
  client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));

const content = (name: string, version: string) => `${name}:${version}:`.repeat(2000);

describe.skipIf(skip !== undefined)("the agent's offline commands against S3", () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "agent-offline-s3-"));
    config = join(root, "agent.yaml");
    writeFileSync(
      config,
      [
        "s3:",
        `  endpoint: ${env.SM_EXT_S3_ENDPOINT}`,
        `  provider: ${env.SM_EXT_S3_PROVIDER ?? "Minio"}`,
        `  access_key_id: ${env.SM_EXT_S3_KEY}`,
        `  secret_access_key: ${env.SM_EXT_S3_SECRET}`,
        "",
      ].join("\n"),
    );
    client = tierS3Client();
    // A server reused from an earlier run may have the bucket already.
    await client.send(new CreateBucketCommand({ Bucket: BUCKET })).catch((error: { name?: string }) => {
      if (error.name !== "BucketAlreadyOwnedByYou" && error.name !== "BucketAlreadyExists") throw error;
    });
    // Two snapshots of one node; the newer backup replaced Data.db, keeping the older one as Data.db.sm_<NEW>.
    const files = ["me-1-big-Data.db", "me-1-big-Index.db", "me-1-big-TOC.txt"];
    const dir = sstVersionDir(CLUSTER, "dc1", NODE, "ks", "t", VERSION);
    for (const name of files) await put(`${dir}/${name}`, content(name, NEW));
    await put(`${dir}/me-1-big-Data.db.${NEW}`, content("me-1-big-Data.db", OLD));
    for (const tag of [OLD, NEW]) {
      const manifest = {
        ...emptyManifestHeader(),
        version: "v2",
        cluster_name: "s3-cluster",
        ip: "10.0.0.7",
        dc: "dc1",
        cluster_id: CLUSTER,
        node_id: NODE,
        task_id: TASK,
        snapshot_tag: tag,
        tokens: [-9223372036854775807n, 42n],
        index: [
          {
            keyspace: "ks",
            table: "t",
            replication_type: "vnodes",
            version: VERSION,
            files,
            size: files.reduce((sum, f) => sum + content(f, tag).length, 0),
            scylla_manifests: null,
          },
        ],
      };
      await put(manifestPath(CLUSTER, "dc1", NODE, TASK, tag), await encodeManifest(manifest));
    }
  }, 60_000);

  afterAll(() => {
    client?.destroy();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test("benchmark uploads each scenario, reports it, and removes <bucket>/benchmark", async () => {
    const scenario = join(root, "scenarios", "mixed");
    expect((await capture(runBenchmarkCommand, ["create-scenario", "-d", scenario, "-s", "3", "-c", "2"])).code).toBe(
      0,
    );
    writeFileSync(join(scenario, "small"), "x".repeat(1000));
    const r = await capture(runBenchmarkCommand, [
      "-c",
      config,
      "-L",
      `s3:${BUCKET}`,
      "-d",
      scenario,
      "--rate-limit",
      "0",
    ]);
    expect(r.code).toBe(0);
    console.log(r.err);
    expect(r.err).toStartWith("Scenario:\tmixed\nSize:\t\t6.001M\nDuration:\t");
    expect(r.err).not.toContain("Error:");
    expect([...(await listBucket(client, BUCKET)).keys()].filter((k) => k.startsWith("benchmark/"))).toEqual([]);
  }, 60_000);

  test("download-files lists the node and downloads each snapshot's own version of every file", async () => {
    const nodes = await download("--list-nodes");
    expect(nodes).toEqual({
      code: 0,
      out: `Cluster: s3-cluster (${CLUSTER})\ndc1:\n  - 10.0.0.7 (${NODE})\n`,
      err: "",
    });
    const tags = await download("-n", NODE, "--list-snapshots");
    expect(tags.out).toBe(`${NEW}\n${OLD}\n`);
    const tokens = await download("-n", NODE, "-T", OLD, "--dump-tokens");
    expect(tokens.out).toBe("-9223372036854775807,42\n");
    for (const tag of [OLD, NEW]) {
      const data = join(root, `data-${tag}`);
      mkdirSync(data);
      const r = await download("-n", NODE, "-T", tag, "-d", data);
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
      const dir = join(data, "ks", `t-${VERSION}`);
      expect(readFileSync(join(dir, "me-1-big-Data.db"), "utf8")).toBe(content("me-1-big-Data.db", tag));
      expect(readFileSync(join(dir, "me-1-big-Index.db"), "utf8")).toBe(content("me-1-big-Index.db", NEW));
    }
  }, 60_000);
});
