/**
 * Test buckets for restore: an SM-layout backup written into a local directory (served by the agents'
 * `localstorage` provider) from snapshots the emulated nodes take, with manifests encoded by the layout codec.
 * A stand-in until the backup service writes them; the files are the nodes' real snapshot files (ledger digests).
 * @module
 */
import { copyFileSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { emptyManifestHeader, type FilesMeta } from "../../src/backup/layout/manifest.ts";
import { encodeManifest } from "../../src/backup/layout/manifest-codec.ts";
import { manifestPath, sstVersionDir } from "../../src/backup/layout/paths.ts";
import type { EmulatedCluster } from "../emulator/index.ts";

export interface TestBackupOptions {
  /** The localstorage root (agents' `localstorage.path`). */
  root: string;
  bucket: string;
  clusterId: string;
  taskId: string;
  tag: string;
  keyspaces: string[];
  /** Leave these nodes' manifests temporary (`.tmp`), as an interrupted backup does. */
  temporaryNodes?: string[];
}

/** Snapshots `keyspaces` on every node and writes the SM layout for them; returns the bytes written per node. */
export async function writeTestBackup(cluster: EmulatedCluster, o: TestBackupOptions): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for (const node of cluster.nodes) {
    for (const ks of o.keyspaces) {
      const res = await fetch(
        `http://${node.ip}:${node.restPort}/storage_service/snapshots?tag=${o.tag}&kn=${encodeURIComponent(ks)}`,
        { method: "POST" },
      );
      if (!res.ok) throw new Error(`snapshot ${ks} on ${node.ip}: ${res.status} ${await res.text()}`);
    }
    const index: FilesMeta[] = [];
    for (const ks of o.keyspaces) {
      const ksDir = join(node.dataDir, ks);
      for (const dirName of readdirSync(ksDir).sort()) {
        const m = /^(.+)-([0-9a-f]{32})$/.exec(dirName);
        if (!m) continue;
        const [table, version] = [m[1] as string, m[2] as string];
        const snap = join(ksDir, dirName, "snapshots", o.tag);
        let files: string[];
        try {
          files = readdirSync(snap).filter((f) => f !== "manifest.json" && f !== "schema.cql");
        } catch {
          continue;
        }
        if (files.length === 0) continue;
        const dst = join(o.root, o.bucket, sstVersionDir(o.clusterId, node.dc, node.hostId, ks, table, version));
        mkdirSync(dst, { recursive: true });
        let size = 0;
        for (const f of files) {
          copyFileSync(join(snap, f), join(dst, f));
          size += statSync(join(snap, f)).size;
        }
        index.push({
          keyspace: ks,
          table,
          replication_type: "vnodes",
          version,
          files: files.sort(),
          size,
          scylla_manifests: null,
        });
      }
    }
    const total = index.reduce((s, i) => s + i.size, 0);
    sizes.set(node.ip, total);
    const manifest = {
      ...emptyManifestHeader(),
      version: "v2",
      cluster_name: "test",
      ip: node.ip,
      size: total,
      rack: node.rack,
      shard_count: 2,
      dc: node.dc,
      cluster_id: o.clusterId,
      node_id: node.hostId,
      task_id: o.taskId,
      snapshot_tag: o.tag,
      index,
    };
    let path = join(o.root, o.bucket, manifestPath(o.clusterId, node.dc, node.hostId, o.taskId, o.tag));
    if (o.temporaryNodes?.includes(node.ip)) path += ".tmp";
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, await encodeManifest(manifest));
  }
  return sizes;
}
