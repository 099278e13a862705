import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { Backup } from "../../src/backup/backup.ts";
import { decodeManifest, parseManifestPath } from "../../src/backup/layout/index.ts";
import { Cluster } from "../../src/cluster/cluster.ts";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import { digestFile } from "../emulator/storage/content.ts";
import { nodeStorage } from "../emulator/storage/node-storage.ts";
import { snapshotFiles } from "../emulator/storage/snapshot-digests.ts";
import { testSchemaSpec } from "../emulator/storage/testing.ts";

// A backup by the Backup class through our agents to a local directory (localstorage), checked against the bucket
// itself and the emulator's ledger.
const TOKEN = "backup-e2e";
let dir: string;
let bucket: string;
let emu: EmulatedCluster;
let cluster: Cluster;
const TASK = "7d8b1b4e-1a40-4a55-9d2a-0c6a3c2e9d11";

function walk(root: string): string[] {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  for (const e of readdirSync(root, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(relative(root, join(e.parentPath, e.name)));
  }
  return out.sort();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "backup-e2e-"));
  bucket = join(dir, "store", "backups");
  mkdirSync(bucket, { recursive: true });
  emu = await startCluster({
    dcs: [3],
    ipPrefix: "127.2.1.",
    dir: join(dir, "emu"),
    schema: testSchemaSpec(),
    agents: { authToken: TOKEN, config: { localstorage: { path: join(dir, "store") } } },
  });
  cluster = await Cluster.connect({ host: emu.nodes[0]?.ip ?? "", authToken: TOKEN });
}, 60_000);

afterAll(async () => {
  await cluster?.close();
  await emu?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("backup to localstorage through our agents", () => {
  let firstTag = "";

  test("a disk below disk_space_free_min_percent fails the run before anything is snapshotted", async () => {
    const backup = await Backup.plan(cluster, {
      location: ["localstorage:backups"],
      keyspace: ["ks1"],
      taskId: TASK,
      config: { diskSpaceFreeMinPercent: 99 },
    });
    expect(backup.run()).rejects.toThrow(/^127\.2\.1\.\d+: not enough disk space: .* backup needs at least 99%/);
    await Bun.sleep(200);
    expect(emu.ledger.snapshots().filter((s) => s.action === "take")).toEqual([]);
  });
  let clusterId = "";

  test("files in the bucket equal the snapshot's SSTables; manifests name every file", async () => {
    const backup = await Backup.plan(cluster, {
      location: ["localstorage:backups"],
      keyspace: ["ks1", "ks3"],
      taskId: TASK,
      retention: 2,
    });
    expect(backup.target.units.map((u) => u.keyspace)).toEqual(["ks1", "ks3", "system_schema"]);
    const stages: string[] = [];
    backup.on("progress", (e) => {
      if (stages.at(-1) !== e.stage) stages.push(e.stage);
    });
    const result = await backup.run();
    firstTag = result.snapshotTag;
    expect(stages).toContain("UPLOAD");
    expect(stages.at(-1)).toBe("DONE");
    expect(result.progress.size).toBeGreaterThan(0);
    expect(result.progress.uploaded + result.progress.skipped).toBe(result.progress.size);

    const files = walk(bucket);
    const manifests = files.filter((f) => f.startsWith("backup/meta/"));
    expect(manifests.length).toBe(3);
    expect(manifests.every((f) => f.endsWith(".json.gz"))).toBe(true);
    const schema = files.filter((f) => f.startsWith("backup/schema/"));
    expect(schema).toHaveLength(1);
    for (const m of manifests) {
      const info = parseManifestPath(m);
      expect(info?.snapshotTag).toBe(firstTag);
      expect(info?.taskId).toBe(TASK);
      clusterId = info?.clusterId ?? "";
      const content = await decodeManifest(readFileSync(join(bucket, m)));
      const node = emu.nodes.find((n) => n.hostId === info?.nodeId);
      expect(content.ip).toBe(node?.ip ?? "");
      // The library names the cluster as the nodes do (their cluster_name) when the caller does not.
      expect(content.cluster_name).toBe("Test Cluster"); // the emulator's default, as Scylla's
      expect(content.schema).toBe(schema[0] ?? "");
      for (const meta of content.index ?? []) {
        const sstDir = join(
          bucket,
          `backup/sst/cluster/${content.cluster_id}/dc/${content.dc}/node/${content.node_id}/keyspace/${meta.keyspace}/table/${meta.table}/${meta.version}`,
        );
        // Every file the manifest names is in the bucket with its size...
        let total = 0;
        for (const f of meta.files ?? []) {
          expect(existsSync(join(sstDir, f))).toBe(true);
          total += statSync(join(sstDir, f)).size;
        }
        expect(total).toBe(meta.size);
        // ... and the set equals what the snapshot held on that node (names, sizes, CRC from the ledger).
        if (meta.keyspace === "system_schema") continue;
        const captured = snapshotFiles(emu.ledger, firstTag, meta.keyspace, meta.table)
          .filter((c) => c.host === content.ip)
          .map((c) => ({ name: c.name, size: c.size, digest: c.digest }))
          .sort((a, b) => a.name.localeCompare(b.name));
        const uploaded = (meta.files ?? [])
          .map((name) => ({ name, ...pick(digestFile(join(sstDir, name))) }))
          .sort((a, b) => a.name.localeCompare(b.name));
        expect(uploaded).toEqual(captured);
        expect(meta.scylla_manifests).toEqual([`tag_${firstTag}_node_${content.node_id}_manifest.json`]);
        expect(existsSync(join(sstDir, `tag_${firstTag}_node_${content.node_id}_manifest.json`))).toBe(true);
      }
    }
    // Local snapshots are gone from every node once the run is done.
    for (const n of emu.nodes) {
      const left = walk(n.dataDir).filter((f) => f.includes(`/snapshots/${firstTag}/`));
      expect(left).toEqual([]);
    }
  }, 120_000);

  test("a second backup uploads only the new SSTables", async () => {
    const before = new Map(walk(bucket).map((f) => [f, statSync(join(bucket, f)).mtimeMs]));
    const node = emu.state.nodes[0];
    if (!node) throw new Error("no node");
    const flushed = nodeStorage(node).flushSSTable("ks3", "blobs", 300_000);
    const backup = await Backup.plan(cluster, {
      location: ["localstorage:backups"],
      keyspace: ["ks1", "ks3"],
      taskId: TASK,
      retention: 2,
    });
    const result = await backup.run();
    expect(result.snapshotTag > firstTag).toBe(true);
    const after = walk(bucket);
    const sst = (f: string) => f.startsWith("backup/sst/") && !f.includes("_manifest.json");
    const added = after.filter((f) => sst(f) && !before.has(f));
    const rewritten = after.filter(
      (f) => sst(f) && before.has(f) && statSync(join(bucket, f)).mtimeMs !== before.get(f),
    );
    expect(added.map((f) => f.split("/").at(-1)).sort()).toEqual([...flushed].sort());
    expect(added.every((f) => f.includes(`/node/${node.hostId}/keyspace/ks3/table/blobs/`))).toBe(true);
    expect(rewritten).toEqual([]);
    // Both snapshots are kept (retention 2): 6 manifests.
    expect(after.filter((f) => f.startsWith("backup/meta/")).length).toBe(6);
    // Deduplicated bytes are reported as skipped.
    expect(result.progress.skipped).toBeGreaterThan(0);
    expect(result.progress.uploaded).toBe(
      flushed.reduce((sum, f) => sum + statSync(join(bucket, added.find((a) => a.endsWith(`/${f}`)) ?? "")).size, 0),
    );
    expect(clusterId).not.toBe("");
  }, 120_000);

  test("Backup.purge applies a smaller retention without a new snapshot", async () => {
    const snapshotsBefore = emu.ledger.snapshots().filter((s) => s.action === "take").length;
    const manifestsOf = () => walk(bucket).filter((f) => f.startsWith("backup/meta/"));
    const tags = [...new Set(manifestsOf().map((f) => parseManifestPath(f)?.snapshotTag ?? ""))].sort();
    expect(tags).toHaveLength(2);
    await Backup.purge(cluster, {
      location: ["localstorage:backups"],
      keyspace: ["ks1", "ks3"],
      taskId: TASK,
      retention: 1,
    });
    expect(emu.ledger.snapshots().filter((s) => s.action === "take").length).toBe(snapshotsBefore);
    const kept = manifestsOf();
    expect(kept).toHaveLength(3);
    expect(kept.every((f) => parseManifestPath(f)?.snapshotTag === tags[1])).toBe(true);
    // Every file the kept manifests name is still there; Scylla's manifests of the purged tag are gone.
    for (const m of kept) {
      const content = await decodeManifest(readFileSync(join(bucket, m)));
      for (const meta of content.index ?? []) {
        const sstDir = `backup/sst/cluster/${content.cluster_id}/dc/${content.dc}/node/${content.node_id}/keyspace/${meta.keyspace}/table/${meta.table}/${meta.version}`;
        for (const f of meta.files ?? []) expect(existsSync(join(bucket, sstDir, f))).toBe(true);
      }
    }
    expect(walk(bucket).filter((f) => f.includes(`tag_${tags[0]}_`))).toEqual([]);
  }, 120_000);
});

function pick(d: { size: number; crc32: string }): { size: number; digest: string } {
  return { size: d.size, digest: d.crc32 };
}
