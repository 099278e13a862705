/**
 * Restore round trip through a real S3 server (MinIO, or moto; started by test/external/run.sh, which exports
 * SM_EXT_S3_*): the Backup class uploads the emulated cluster's snapshot through our agents, the Restore class
 * brings it back, and the emulator's ledger says every SSTable was loaded once by name, size and CRC. The agents
 * talk to the server through a counting, fault-injecting proxy, so downloads are counted at the object store and
 * the store can be cut off mid-DATA. Without a server the suite is skipped with the reason printed. 127.4.8.x.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { Backup } from "../../src/backup/backup.ts";
import { Cluster } from "../../src/cluster/cluster.ts";
import { Restore } from "../../src/restore/restore.ts";
import { createMemoryStore } from "../../src/store/memory.ts";
import { type EmulatedAgents, startAgents } from "../emulator/agents.ts";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import type { LoadEntry } from "../emulator/ledger.ts";
import { restoredOnceProblems } from "../restore/harness.ts";
import { S3FaultProxy } from "../support/s3-fault-proxy.ts";
import { listBucket } from "./backup-s3-bucket.ts";
import { s3TierSkipReason, tierS3Client } from "./tier-s3.ts";

const env = process.env;
const skip = s3TierSkipReason;
if (skip !== undefined) console.log(`restore-s3 SKIPPED: ${skip}`);

const TOKEN = "restore-s3";
const TABLES = ["ks1.small", "ks1.users"];
const FAST = { jobPollSeconds: 1, loadRetryMs: 200, viewPollMs: 200 };
let bucket = "";
let proxy: S3FaultProxy;
let direct: S3Client;
let emu: EmulatedCluster;
let agents: EmulatedAgents;
let cluster: Cluster;
let tag = "";

beforeAll(async () => {
  if (skip !== undefined) return;
  proxy = await S3FaultProxy.start(env.SM_EXT_S3_ENDPOINT ?? "", "127.4.8.250");
  direct = tierS3Client();
  bucket = `sm-restore-${randomBytes(4).toString("hex")}`;
  await direct.send(new CreateBucketCommand({ Bucket: bucket }));
  const nts = { class: "NetworkTopologyStrategy", replication_factor: 3 };
  emu = await startCluster({
    dcs: [3],
    ipPrefix: "127.4.8.",
    schema: {
      keyspaces: [
        {
          name: "ks1",
          replication: nts,
          tables: [
            { name: "small", size: "200KiB" },
            { name: "users", size: "4MiB" },
          ],
        },
      ],
    },
  });
  agents = await startAgents(emu, {
    authToken: TOKEN,
    config: {
      s3: {
        provider: (env.SM_EXT_S3_PROVIDER ?? "Minio") as "Minio",
        endpoint: proxy.url,
        access_key_id: env.SM_EXT_S3_KEY,
        secret_access_key: env.SM_EXT_S3_SECRET,
      },
    },
  });
  cluster = await Cluster.connect({ host: emu.nodes[0]?.ip as string, authToken: TOKEN });
  tag = (await (await Backup.plan(cluster, { location: [`s3:${bucket}`], keyspace: ["ks1"] })).run()).snapshotTag;
}, 180_000);

afterAll(async () => {
  await cluster?.close();
  await agents?.close();
  await emu?.close();
  await proxy?.close();
  if (bucket !== "" && direct) {
    const objects = await listBucket(direct, bucket).catch(() => new Map<string, number>());
    for (const Key of objects.keys())
      await direct.send(new DeleteObjectCommand({ Bucket: bucket, Key })).catch(() => 0);
    await direct.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
    direct.destroy();
  }
}, 60_000);

/** Successful GETs of SSTable objects since call index `from`, by key. */
function sstGets(from: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of proxy.calls.slice(from)) {
    if (c.method !== "GET" || c.bucket !== bucket || c.status >= 300 || !c.key.startsWith("backup/sst/")) continue;
    out.set(c.key, (out.get(c.key) ?? 0) + 1);
  }
  return out;
}

const name = (key: string) => key.split("/").at(-1) ?? key;

describe.skipIf(skip !== undefined)("restore from S3 through our agents", () => {
  test("back up, restore: every SSTable loaded once by name, size and CRC; each object downloaded once", async () => {
    const since = emu.ledger.loads();
    const from = proxy.calls.length;
    const restore = await Restore.plan(cluster, {
      location: [`s3:${bucket}`],
      snapshotTag: tag,
      keyspace: ["ks1"],
      repair: null,
      timings: FAST,
    });
    await restore.run();
    expect(restoredOnceProblems({ source: emu.ledger, target: emu.ledger, tables: TABLES, since, tag })).toEqual([]);
    const objects = [...(await listBucket(direct, bucket)).keys()].filter(
      (k) => k.startsWith("backup/sst/") && !k.endsWith("_manifest.json"),
    );
    const gets = sstGets(from);
    expect([...gets.keys()].sort()).toEqual(objects.sort());
    expect([...gets.values()].every((n) => n === 1)).toBe(true);
  }, 180_000);

  test("the store cut off mid-DATA: the run fails naming what is left; the next run downloads only the rest", async () => {
    const since = emu.ledger.loads();
    const from = proxy.calls.length;
    const options = {
      location: [`s3:${bucket}`],
      snapshotTag: tag,
      keyspace: ["ks1"],
      batchSize: 1,
      parallel: 1,
      repair: null,
      timings: FAST,
      store: createMemoryStore(),
      taskId: "b7f0e3a2-4c1d-4e5f-8a9b-0c1d2e3f4a5b",
    };
    const first = await Restore.plan(cluster, options);
    let cut: (() => void) | undefined;
    // When the second load starts (the first batch is restored, the second downloaded), the store goes away.
    let starts = 0;
    const unsubscribe = emu.ledger.onRecord((entry) => {
      if (entry.kind === "load" && ++starts === 2) cut = proxy.fail({ status: 503, key: /^backup\/sst\// });
    });
    try {
      await expect(first.run()).rejects.toThrow(/^failed to restore \d+ sstables from location s3:/);
    } finally {
      unsubscribe();
      cut?.();
    }
    expect(cut).toBeDefined();
    const before = new Set(
      emu.ledger
        .loads()
        .filter((l: LoadEntry) => !since.includes(l) && l.outcome === "successful")
        .flatMap((l) => l.files.map((f) => f.name)),
    );
    expect(before.size).toBeGreaterThan(0);
    await (await Restore.plan(cluster, options)).run();
    expect(restoredOnceProblems({ source: emu.ledger, target: emu.ledger, tables: TABLES, since, tag })).toEqual([]);
    const again = [...sstGets(from)].filter(([key, n]) => n > 1 && before.has(name(key)));
    expect(again).toEqual([]);
  }, 240_000);
});
