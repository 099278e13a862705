/**
 * Backup end to end to a real S3 server (MinIO, or moto when MinIO cannot be built; started by
 * test/external/run.sh, which exports SM_EXT_S3_*): the Backup class and our agents on the emulator upload to a
 * bucket through a counting, fault-injecting proxy (test/support/s3-fault-proxy.ts), so PUTs are counted on the
 * server side and the store can be made to fail.
 *
 * Every test ends with the same two checks: no regular manifest names a file that is not in the bucket (with its
 * size), and the snapshot just taken equals what the emulator's ledger says it held (names, sizes, CRC32 of the
 * bytes read back from the server). Without a server the suite is skipped with the reason printed.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import type { RunningAgent } from "../../agent/server.ts";
import { Backup, type BackupOptions } from "../../src/backup/backup.ts";
import { parseManifestPath } from "../../src/backup/layout/index.ts";
import { Cluster } from "../../src/cluster/cluster.ts";
import { createMemoryStore } from "../../src/store/memory.ts";
import { startAgents } from "../emulator/agents.ts";
import { type EmulatedCluster, type EmulatedNodeInfo, startCluster } from "../emulator/index.ts";
import { nodeStorage } from "../emulator/storage/node-storage.ts";
import { S3FaultProxy } from "../support/s3-fault-proxy.ts";
import { listBucket, manifestProblems, readManifests, snapshotMismatches } from "./backup-s3-bucket.ts";
import { s3TierSkipReason, tierS3Client } from "./tier-s3.ts";

const env = process.env;
const skip = s3TierSkipReason;
if (skip !== undefined) console.log(`backup-s3 SKIPPED: ${skip}`);

const TOKEN = "backup-s3";
const TASK = "3f6c2a61-5d2e-4f0b-9b1e-6a1f2c3d4e5f";
const IP_PREFIX = "127.2.10.";
let dir = "";
let bucket = "";
let proxy: S3FaultProxy;
let direct: S3Client;
let emu: EmulatedCluster;
let cluster: Cluster;
const agents = new Map<string, RunningAgent>();
const store = createMemoryStore();

async function startAgentOf(node: EmulatedNodeInfo): Promise<void> {
  const started = await startAgents(
    { nodes: [node] },
    {
      authToken: TOKEN,
      config: {
        s3: {
          provider: (env.SM_EXT_S3_PROVIDER ?? "Minio") as "Minio",
          endpoint: proxy.url,
          access_key_id: env.SM_EXT_S3_KEY,
          secret_access_key: env.SM_EXT_S3_SECRET,
        },
      },
    },
  );
  agents.set(node.ip, started.agents[0] as RunningAgent);
}

async function stopAgentOf(ip: string): Promise<void> {
  await agents.get(ip)?.close();
  agents.delete(ip);
}

function node(i: number): EmulatedNodeInfo {
  const n = emu.nodes[i];
  if (n === undefined) throw new Error(`no node ${i}`);
  return n;
}

function plan(extra: Partial<BackupOptions> = {}): Promise<Backup> {
  return Backup.plan(cluster, {
    location: [`s3:${bucket}`],
    keyspace: ["ks1", "ks2"],
    taskId: TASK,
    retention: 10,
    store,
    ...extra,
  });
}

/** Uploads of SSTable files (not Scylla's per-tag manifest) since call index `since`, relative to the bucket. */
function sstUploads(since: number, nodeId?: string): string[] {
  return proxy
    .uploads(bucket, since)
    .filter(
      (k) =>
        k.startsWith("backup/sst/") &&
        !k.endsWith("_manifest.json") &&
        (nodeId === undefined || k.includes(`/node/${nodeId}/`)),
    );
}

/** The two invariants plus the ledger comparison for `tag`. */
async function expectBucketHealthy(tag: string): Promise<void> {
  const objects = await listBucket(direct, bucket);
  const manifests = await readManifests(direct, bucket, objects);
  expect(manifestProblems(manifests, objects)).toEqual([]);
  expect(await snapshotMismatches(direct, bucket, manifests, emu.ledger, tag)).toEqual([]);
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}

beforeAll(async () => {
  if (skip !== undefined) return;
  dir = mkdtempSync(join(tmpdir(), "backup-s3-"));
  proxy = await S3FaultProxy.start(env.SM_EXT_S3_ENDPOINT ?? "", `${IP_PREFIX}250`);
  direct = tierS3Client();
  bucket = `sm-backup-${randomBytes(4).toString("hex")}`;
  await direct.send(new CreateBucketCommand({ Bucket: bucket }));
  const nts = { class: "NetworkTopologyStrategy", replication_factor: 3 };
  emu = await startCluster({
    dcs: [3],
    ipPrefix: IP_PREFIX,
    dir: join(dir, "emu"),
    schema: {
      keyspaces: [
        {
          name: "ks1",
          replication: nts,
          tables: [
            { name: "small", size: "200KiB" },
            { name: "users", size: "2MiB" },
          ],
        },
        { name: "ks2", replication: nts, tables: [{ name: "events", size: "1MiB" }] },
      ],
    },
  });
  for (const n of emu.nodes) await startAgentOf(n);
  // Short retries (the default backoff waits up to 30 s between attempts), still long enough to outlast an agent
  // restart.
  cluster = await Cluster.connect({
    host: node(0).ip,
    authToken: TOKEN,
    backoff: { waitMinMs: 200, waitMaxMs: 2_000, maxRetries: 10, multiplier: 2, jitter: 0.2 },
  });
}, 120_000);

afterAll(async () => {
  await cluster?.close();
  for (const ip of [...agents.keys()]) await stopAgentOf(ip);
  await emu?.close();
  await proxy?.close();
  if (bucket !== "" && direct) {
    const objects = await listBucket(direct, bucket).catch(() => new Map<string, number>());
    const { DeleteObjectsCommand, DeleteBucketCommand } = await import("@aws-sdk/client-s3");
    const keys = [...objects.keys()];
    for (let i = 0; i < keys.length; i += 1000) {
      await direct
        .send(
          new DeleteObjectsCommand({
            Bucket: bucket,
            Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })) },
          }),
        )
        .catch(() => undefined);
    }
    await direct.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
    direct.destroy();
  }
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe.skipIf(skip !== undefined)("backup to S3 through our agents", () => {
  test("the bucket holds exactly the snapshot's SSTables, each uploaded once; manifests decode", async () => {
    const from = proxy.calls.length;
    const result = await (await plan()).run();
    const objects = await listBucket(direct, bucket);
    const manifests = await readManifests(direct, bucket, objects);
    expect(manifests.map((m) => m.info.snapshotTag)).toEqual([
      result.snapshotTag,
      result.snapshotTag,
      result.snapshotTag,
    ]);
    expect(manifests.map((m) => m.content.ip).sort()).toEqual(emu.nodes.map((n) => n.ip).sort());
    expect([...objects.keys()].filter((k) => k.startsWith("backup/schema/"))).toHaveLength(1);
    await expectBucketHealthy(result.snapshotTag);
    // Server side: every SSTable object in the bucket was PUT exactly once, and nothing else under backup/sst.
    const uploads = sstUploads(from);
    const stored = [...objects.keys()].filter((k) => k.startsWith("backup/sst/") && !k.endsWith("_manifest.json"));
    expect(uploads.sort()).toEqual(stored.sort());
    expect(result.progress.uploaded).toBe(stored.reduce((sum, k) => sum + (objects.get(k) ?? 0), 0));
  }, 180_000);

  test("a second backup uploads only the newly flushed SSTables", async () => {
    const storage = nodeStorage(emu.state.nodes[1] as NonNullable<(typeof emu.state.nodes)[number]>);
    const flushed = storage.flushSSTable("ks1", "users", 150_000);
    const from = proxy.calls.length;
    const result = await (await plan()).run();
    const uploads = sstUploads(from);
    expect(uploads.map((k) => k.split("/").at(-1)).sort()).toEqual([...flushed].sort());
    expect(uploads.every((k) => k.includes(`/node/${node(1).hostId}/keyspace/ks1/table/users/`))).toBe(true);
    expect(result.progress.skipped).toBeGreaterThan(0);
    await expectBucketHealthy(result.snapshotTag);
    // The read side lists both snapshots from the bucket through the agents (SM's `backup list`).
    const listed = await Backup.list(cluster, { location: [`s3:${bucket}`] });
    expect(listed.map((item) => item.task_id)).toEqual([TASK]);
    expect(listed[0]?.snapshot_info.map((info) => info.snapshot_tag)).toContain(result.snapshotTag);
    expect(listed[0]?.snapshot_info).toHaveLength(2);
  }, 180_000);
});

/** Temporary manifests of `tag` in the bucket (a run that did not finish leaves them). */
async function tempManifestTags(): Promise<string[]> {
  const objects = await listBucket(direct, bucket);
  return [...objects.keys()]
    .map((k) => parseManifestPath(k))
    .filter((info) => info?.temporary === true)
    .map((info) => info?.snapshotTag ?? "");
}

function flush(i: number, keyspace: string, table: string, count: number, size: number): string[] {
  const storage = nodeStorage(emu.state.nodes[i] as NonNullable<(typeof emu.state.nodes)[number]>);
  return Array.from({ length: count }, () => storage.flushSSTable(keyspace, table, size)).flat();
}

describe.skipIf(skip !== undefined)("backup to S3 under faults", () => {
  test("503 SlowDown and 500 answers for a while on every object: the calls are retried and the run finishes", async () => {
    // Must survive: the run itself (DONE), every file of the new snapshot, every earlier manifest's files.
    for (const i of [0, 1, 2]) flush(i, "ks2", "events", 1, 120_000);
    const injectedBefore = proxy.injected().length;
    // Each object's first PUT is throttled (503 SlowDown) and its first read fails (500): the SDK's retries absorb it.
    const stopPuts = proxy.fail({ status: 503, methods: ["PUT"], perKey: 1 });
    const stopReads = proxy.fail({ status: 500, methods: ["GET", "HEAD"], perKey: 1 });
    try {
      const result = await (await plan()).run();
      expect(proxy.injected().length - injectedBefore).toBeGreaterThan(5);
      await expectBucketHealthy(result.snapshotTag);
    } finally {
      stopPuts();
      stopReads();
    }
  }, 240_000);

  test("the store failing every upload of one node: the run fails naming it, then resumes and uploads only what is missing", async () => {
    // SSTable uploads of one node fail (Scylla's manifest and the temp manifest get through, so the run fails in
    // UPLOAD). Must survive: every kept backup (no regular manifest for the failed snapshot, none names a missing
    // file); the next run resumes the same snapshot and does not upload again what the healthy nodes finished.
    const flushed = [0, 1, 2].map((i) => flush(i, "ks1", "small", 1, 90_000));
    const broken = node(2);
    const from = proxy.calls.length;
    const stop = proxy.fail({
      status: 500,
      methods: ["PUT", "POST"],
      key: new RegExp(`/node/${broken.hostId}/keyspace/.*-big-`),
    });
    let failedTag = "";
    try {
      await expect((await plan()).run()).rejects.toThrow(broken.ip);
      const objects = await listBucket(direct, bucket);
      expect(manifestProblems(await readManifests(direct, bucket, objects), objects)).toEqual([]);
      const temps = [...new Set(await tempManifestTags())];
      expect(temps).toHaveLength(1);
      failedTag = temps[0] ?? "";
      const manifests = await readManifests(direct, bucket, objects);
      expect(manifests.filter((m) => m.info.snapshotTag === failedTag)).toEqual([]);
    } finally {
      stop();
    }
    const healthyUploads = [0, 1].flatMap((i) => sstUploads(from, node(i).hostId));
    expect(healthyUploads.map((k) => k.split("/").at(-1)).sort()).toEqual(
      [...(flushed[0] ?? []), ...(flushed[1] ?? [])].sort(),
    );
    const resumedFrom = proxy.calls.length;
    const result = await (await plan()).run();
    expect(result.snapshotTag).toBe(failedTag);
    expect(
      sstUploads(resumedFrom)
        .map((k) => k.split("/").at(-1))
        .sort(),
    ).toEqual([...(flushed[2] ?? [])].sort());
    expect(await tempManifestTags()).toEqual([]);
    await expectBucketHealthy(result.snapshotTag);
  }, 240_000);

  test("an agent restarted mid-upload: the run re-starts the job and finishes; finished files are not uploaded again", async () => {
    // Must survive: the run (DONE on the same snapshot), every file uploaded before the restart (never PUT again),
    // every file of the snapshot in the bucket.
    const target = node(0);
    const flushed = flush(0, "ks1", "users", 4, 60_000);
    const from = proxy.calls.length;
    // Four SSTable uploads of the node get through, the next ones hang: the restart hits a job mid-way.
    const hold = proxy.hold({ methods: ["PUT"], key: new RegExp(`/node/${target.hostId}/keyspace/.*-big-`), after: 4 });
    try {
      const running = (await plan({ transfers: 2 })).run();
      running.catch(() => undefined);
      await waitFor("a held upload", () => hold.held() > 0 && sstUploads(from, target.hostId).length === 4);
      await stopAgentOf(target.ip);
      hold.release();
      const before = new Set(sstUploads(from, target.hostId));
      const after = proxy.calls.length;
      await startAgentOf(target);
      const result = await running;
      expect(sstUploads(after, target.hostId).filter((k) => before.has(k))).toEqual([]);
      const all = new Set(sstUploads(from, target.hostId).map((k) => k.split("/").at(-1)));
      expect([...all].sort()).toEqual([...flushed].sort());
      await expectBucketHealthy(result.snapshotTag);
    } finally {
      hold.release();
      if (!agents.has(target.ip)) await startAgentOf(target);
    }
  }, 240_000);

  test("a node down at start is skipped (SM's rule); the others are backed up", async () => {
    const down = node(2);
    flush(0, "ks2", "events", 1, 50_000);
    await stopAgentOf(down.ip);
    await emu.faults.stopNode(down.ip);
    try {
      const backup = await plan();
      expect(backup.target.downHosts).toEqual([down.ip]);
      expect(backup.target.hosts.map((h) => h.ip)).toEqual([node(0).ip, node(1).ip]);
      const result = await backup.run();
      const objects = await listBucket(direct, bucket);
      const manifests = (await readManifests(direct, bucket, objects)).filter(
        (m) => m.info.snapshotTag === result.snapshotTag,
      );
      expect(manifests.map((m) => m.content.ip).sort()).toEqual([node(0).ip, node(1).ip].sort());
      await expectBucketHealthy(result.snapshotTag);
    } finally {
      await emu.faults.startNode(down.ip);
      await startAgentOf(down);
    }
  }, 240_000);

  test("a node going down mid-run: the run fails naming it; the next run resumes and finishes", async () => {
    // Must survive: every kept backup (no regular manifest of the failed snapshot, none names a missing file); the
    // next run resumes the same snapshot and ends with all of it in the bucket.
    const target = node(1);
    const flushed = flush(1, "ks1", "users", 4, 60_000);
    const from = proxy.calls.length;
    const hold = proxy.hold({ methods: ["PUT"], key: new RegExp(`/node/${target.hostId}/keyspace/.*-big-`), after: 4 });
    let failedTag = "";
    try {
      const running = (await plan({ transfers: 2 })).run();
      running.catch(() => undefined);
      await waitFor("a held upload", () => hold.held() > 0 && sstUploads(from, target.hostId).length === 4);
      await stopAgentOf(target.ip);
      await emu.faults.stopNode(target.ip);
      hold.release();
      await expect(running).rejects.toThrow(target.ip);
      const objects = await listBucket(direct, bucket);
      const manifests = await readManifests(direct, bucket, objects);
      expect(manifestProblems(manifests, objects)).toEqual([]);
      failedTag = (await tempManifestTags())[0] ?? "";
      expect(failedTag).not.toBe("");
      expect(manifests.filter((m) => m.info.snapshotTag === failedTag)).toEqual([]);
    } finally {
      hold.release();
      await emu.faults.startNode(target.ip);
      if (!agents.has(target.ip)) await startAgentOf(target);
    }
    const result = await (await plan()).run();
    expect(result.snapshotTag).toBe(failedTag);
    const uploaded = new Set(sstUploads(from, target.hostId).map((k) => k.split("/").at(-1)));
    expect([...uploaded].sort()).toEqual([...flushed].sort());
    await expectBucketHealthy(result.snapshotTag);
  }, 240_000);
});

describe.skipIf(skip !== undefined)("backup to S3 stopped in each stage, then started again", () => {
  const resumable = new Set(["INDEX", "MANIFEST", "DEDUPLICATE", "UPLOAD", "MOVE_MANIFEST", "PURGE"]);
  test.each(["SNAPSHOT", "INDEX", "MANIFEST", "SCHEMA", "DEDUPLICATE", "UPLOAD", "MOVE_MANIFEST", "PURGE"])(
    "stopped in %s: the next run finishes (the same snapshot where SM resumes) and no SSTable is PUT twice",
    async (stage) => {
      const flushed = [0, 1, 2].flatMap((i) => flush(i, "ks2", "events", 1, 40_000));
      const from = proxy.calls.length;
      const controller = new AbortController();
      const backup = await plan();
      let stoppedTag = "";
      backup.on("progress", (e) => {
        if (e.stage !== stage || controller.signal.aborted) return;
        stoppedTag = e.snapshotTag;
        controller.abort(new Error(`stopped by the test in ${stage}`));
      });
      const outcome = await backup.run({ signal: controller.signal }).then(
        () => "done",
        (error: Error) => error.message,
      );
      // PURGE is the last stage: a stop that comes when its work is done may let the run finish.
      if (stage !== "PURGE") expect(outcome).toBe(`stopped by the test in ${stage}`);
      const result = await (await plan()).run();
      if (resumable.has(stage) && outcome !== "done") expect(result.snapshotTag).toBe(stoppedTag);
      const uploads = sstUploads(from);
      expect(uploads.length).toBe(new Set(uploads).size);
      expect(uploads.map((k) => k.split("/").at(-1)).sort()).toEqual(flushed.sort());
      await expectBucketHealthy(result.snapshotTag);
    },
    240_000,
  );
});
