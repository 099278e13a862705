/**
 * Native upload (Scylla's `POST /storage_service/backup`) end to end, through our agents and the emulated nodes to a
 * small S3-compatible server (test/support/mini-s3) both reach. Every node has the store as an
 * `object_storage_endpoints` entry and runs Scylla 2025.2, except in dc2: OLD runs 2025.1 and NOEP has no endpoint. The emulator's ledger judges who
 * uploaded what (`native_backup` entries carry the files with size and CRC), the bucket judges the layout.
 * 127.2.11.x.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { Backup } from "../../src/backup/backup.ts";
import { decodeManifest, parseManifestPath } from "../../src/backup/layout/index.ts";
import { PROGRESS_KIND, type RunProgress } from "../../src/backup/model.ts";
import { Cluster } from "../../src/cluster/cluster.ts";
import { createMemoryStore } from "../../src/store/memory.ts";
import type { Store } from "../../src/store/store.ts";
import { type EmulatedAgents, startAgents } from "../emulator/agents.ts";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import type { NativeTransferEntry } from "../emulator/ledger.ts";
import { releaseVersionOf } from "../emulator/options.ts";
import { digestFile } from "../emulator/storage/content.ts";
import { nodeStorage } from "../emulator/storage/node-storage.ts";
import { snapshotFiles } from "../emulator/storage/snapshot-digests.ts";
import { testSchemaSpec } from "../emulator/storage/testing.ts";
import { MiniS3 } from "../support/mini-s3.ts";

const TOKEN = "backup-native";
const CLUSTER_ID = "5f0e6c1a-2b7d-4c39-9a51-7d3e2f4b8c10";
const TASK = "0c7b9d2e-3f41-4a6b-8c5d-9e1f2a3b4c5d";
const OLD = "127.2.11.3";
const NOEP = "127.2.11.4";
const DC1 = ["127.2.11.1", "127.2.11.2"];
let root: string;
let s3: MiniS3;
let emu: EmulatedCluster;
let agents: EmulatedAgents;
let cluster: Cluster;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "backup-native-"));
  for (const b of ["rclone", "native", "auto", "refused"]) mkdirSync(join(root, b));
  s3 = MiniS3.start(root, "127.2.11.250");
  const endpoint = JSON.stringify({ port: s3.port, use_https: false, aws_region: "us-east-1" });
  emu = await startCluster({
    dcs: [2, 2],
    ipPrefix: "127.2.11.",
    schema: testSchemaSpec(),
    scyllaVersion: "2025.2.0",
    objectStorageEndpoints: { [s3.host]: endpoint },
    nodeSettings: {
      [OLD]: { version: "2025.1.0", releaseVersion: releaseVersionOf("2025.1.0") },
      [NOEP]: { objectStorageEndpoints: {} },
    },
  });
  agents = await startAgents(emu, {
    authToken: TOKEN,
    config: { s3: { provider: "Minio", endpoint: s3.url, access_key_id: "test", secret_access_key: "test" } },
  });
  cluster = await Cluster.connect({ host: DC1[0] as string, authToken: TOKEN });
}, 120_000);

afterAll(async () => {
  await cluster?.close();
  await agents?.close();
  await emu?.close();
  s3?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

const nativeEntries = (since: number) =>
  emu.ledger
    .all()
    .slice(since)
    .filter((e): e is NativeTransferEntry => e.kind === "native_backup");

async function backup(bucket: string, method: "rclone" | "native" | "auto", dc?: string[]) {
  const store: Store = createMemoryStore();
  const planned = await Backup.plan(cluster, {
    location: [`s3:${bucket}`],
    keyspace: ["ks1", "ks3"],
    taskId: TASK,
    clusterId: CLUSTER_ID,
    method,
    store,
    ...(dc ? { dc } : {}),
  });
  const result = await planned.run();
  const rows = (await store.listProgress(PROGRESS_KIND, CLUSTER_ID, TASK, result.runId)).map(
    (r) => r.value as RunProgress,
  );
  return { result, rows };
}

/** Checks every file the bucket's manifests of `tag` name: present, with the size and CRC the snapshot had. */
async function expectManifestFilesMatchSnapshot(bucket: string, tag: string, nodes: number): Promise<void> {
  const dir = join(root, bucket);
  const manifests = walk(dir).filter(
    (f) => f.startsWith("backup/meta/") && f.endsWith(".json.gz") && parseManifestPath(f)?.snapshotTag === tag,
  );
  expect(manifests).toHaveLength(nodes);
  for (const m of manifests) {
    const content = await decodeManifest(readFileSync(join(dir, m)));
    for (const meta of content.index ?? []) {
      const sstDir = `backup/sst/cluster/${CLUSTER_ID}/dc/${content.dc}/node/${content.node_id}/keyspace/${meta.keyspace}/table/${meta.table}/${meta.version}`;
      const got = (meta.files ?? [])
        .map((name) => {
          const d = digestFile(join(dir, sstDir, name));
          return `${name} ${d.size} ${d.crc32}`;
        })
        .sort();
      expect(meta.scylla_manifests).toEqual([`tag_${tag}_node_${content.node_id}_manifest.json`]);
      if (meta.keyspace === "system_schema") continue;
      const want = snapshotFiles(emu.ledger, tag, meta.keyspace, meta.table)
        .filter((c) => c.host === content.ip)
        .map((c) => `${c.name} ${c.size} ${c.digest}`)
        .sort();
      expect(`${content.ip} ${meta.keyspace}.${meta.table}\n${got.join("\n")}`).toBe(
        `${content.ip} ${meta.keyspace}.${meta.table}\n${want.join("\n")}`,
      );
    }
  }
}

describe("native backup (Scylla's backup API through object_storage_endpoints)", () => {
  test("method native with a node lacking an endpoint is refused before anything is snapshotted", async () => {
    const takes = emu.ledger.snapshots().filter((s) => s.action === "take").length;
    const error = await Backup.plan(cluster, {
      location: ["s3:refused"],
      keyspace: ["ks1"],
      taskId: TASK,
      clusterId: CLUSTER_ID,
      method: "native",
    }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toBe(
      `native backup is not supported on every node: ${NOEP} (s3:refused): no object storage endpoint configured`,
    );
    expect(emu.ledger.snapshots().filter((s) => s.action === "take").length).toBe(takes);
    expect(walk(join(root, "refused"))).toEqual([]);
  });

  test("a native backup leaves the bucket as an rclone backup does; Scylla uploaded every SSTable", async () => {
    const ledgerAt = emu.ledger.all().length;
    const viaRclone = await backup("rclone", "rclone", ["dc1"]);
    expect(nativeEntries(ledgerAt)).toEqual([]);
    expect(viaRclone.rows.every((r) => r.scylla_task_id === "")).toBe(true);

    const nativeAt = emu.ledger.all().length;
    const { result, rows } = await backup("native", "native", ["dc1"]);
    const tag = result.snapshotTag;
    expect(result.progress.uploaded + result.progress.skipped).toBe(result.progress.size);
    expect(result.progress.uploaded).toBe(result.progress.size);
    // Every table dir of both nodes went through one successful Scylla task, and none through an agent job.
    const native = nativeEntries(nativeAt);
    expect(native.every((e) => e.outcome === "successful" && e.bucket === "native")).toBe(true);
    expect(native.every((e) => e.params.snapshot === tag && e.params.move_files === "true")).toBe(true);
    expect(new Set(native.map((e) => e.host))).toEqual(new Set(DC1));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.size > 0).every((r) => r.scylla_task_id !== "" && r.agent_job_id === 0)).toBe(true);
    expect(new Set(rows.map((r) => r.scylla_task_id).filter(Boolean))).toEqual(new Set(native.map((e) => e.taskId)));
    expect(rows.every((r) => r.completed_at !== null && r.uploaded + r.skipped === r.size)).toBe(true);
    // The prefix is the SSTable version dir without a leading slash.
    expect(native.every((e) => /^backup\/sst\/cluster\/[^/]+\/dc\/dc1\/node\/[^/]+\/keyspace\//.test(e.prefix))).toBe(
      true,
    );

    // Same objects, same sizes, as the rclone backup of the same data (tags aside).
    const layout = (bucket: string, t: string) =>
      walk(join(root, bucket))
        .filter((f) => !f.startsWith("backup/schema/"))
        .map((f) => `${f.replaceAll(t, "TAG")} ${digestFile(join(root, bucket, f)).size}`)
        .filter((line) => !line.startsWith("backup/meta/"));
    expect(layout("native", tag)).toEqual(layout("rclone", viaRclone.result.snapshotTag));
    expect(walk(join(root, "native")).filter((f) => f.startsWith("backup/meta/"))).toHaveLength(2);
    await expectManifestFilesMatchSnapshot("native", tag, 2);
    // The local snapshot is gone (files moved, then the snapshot dropped).
    for (const n of emu.nodes.filter((n) => DC1.includes(n.ip))) {
      expect(walk(n.dataDir).filter((f) => f.includes(`/snapshots/${tag}/`))).toEqual([]);
    }
  }, 180_000);

  test("auto: the too old node and the one without an endpoint upload with rclone, the others natively", async () => {
    const ledgerAt = emu.ledger.all().length;
    const { result, rows } = await backup("auto", "auto");
    expect(result.progress.uploaded + result.progress.skipped).toBe(result.progress.size);
    const native = nativeEntries(ledgerAt);
    expect(new Set(native.map((e) => e.host))).toEqual(new Set(DC1));
    expect(native.every((e) => e.outcome === "successful")).toBe(true);
    const withData = rows.filter((r) => r.size > 0);
    const viaRclone = withData.filter((r) => r.agent_job_id > 0 && r.scylla_task_id === "");
    const viaScylla = withData.filter((r) => r.scylla_task_id !== "" && r.agent_job_id === 0);
    expect(viaRclone.length + viaScylla.length).toBe(withData.length);
    expect(new Set(viaRclone.map((r) => r.host))).toEqual(new Set([OLD, NOEP]));
    expect(new Set(viaScylla.map((r) => r.host))).toEqual(new Set(DC1));
    await expectManifestFilesMatchSnapshot("auto", result.snapshotTag, 4);
  }, 180_000);

  test("a dir that would create versioned files goes through rclone; new SSTables elsewhere natively", async () => {
    const node = emu.state.nodes.find((n) => n.ip === DC1[0]);
    if (!node) throw new Error("no node");
    const storage = nodeStorage(node);
    // An SSTable of ks1.users changes under its name (its Data.db grows): deduplication finds another bundle of the
    // same name in the bucket, so the upload must keep the old one as a versioned file, which Scylla cannot.
    const users = storage.tableDir("ks1", "users");
    if (!users) throw new Error("no ks1.users");
    const data = storage.liveFiles(users).find((f) => f.endsWith("-Data.db")) as string;
    appendFileSync(join(users.path, data), "changed");
    const flushed = storage.flushSSTable("ks3", "blobs", 200_000);
    const ledgerAt = emu.ledger.all().length;
    const { result, rows } = await backup("auto", "auto");
    const tag = result.snapshotTag;
    const native = nativeEntries(ledgerAt);
    expect(native.map((e) => `${e.host} ${e.keyspace}.${e.table}`)).toEqual([`${node.ip} ks3.blobs`]);
    expect(native[0]?.files.map((f) => f.name).sort()).toEqual([...flushed].sort());
    const usersRow = rows.find((r) => r.host === node.ip && r.table_name === "users");
    expect(usersRow?.agent_job_id).toBeGreaterThan(0);
    expect(usersRow?.scylla_task_id).toBe("");
    // The old object was kept as a versioned file; the new one is in place.
    const versioned = walk(join(root, "auto")).filter(
      (f) => f.includes(`/node/${node.hostId}/keyspace/ks1/table/users/`) && f.endsWith(`.sm_${tag}`),
    );
    expect(versioned.map((f) => f.split("/").at(-1))).toContain(`${data}.sm_${tag}`);
    await expectManifestFilesMatchSnapshot("auto", tag, 4);
  }, 180_000);
});
