import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeManifest } from "../../src/backup/layout/manifest-codec.ts";
import { parseManifestPath, sstVersionDir } from "../../src/backup/layout/paths.ts";
import { Cluster } from "../../src/cluster/cluster.ts";
import { Restore } from "../../src/restore/restore.ts";
import { type EmulatedAgents, startAgents } from "../emulator/agents.ts";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import type { LoadEntry } from "../emulator/ledger.ts";
import { digestFile } from "../emulator/storage/content.ts";

// A bucket in SM's own layout: the real SM manifests of the shared vectors (two clusters, three tasks, four tags,
// SSTable dirs shared by the tags of one task) plus generated SSTable files, restored into the emulator (2 DCs x 3
// nodes on 127.4.7.x) as for our own backups, judged by the ledger: name, size and CRC of every file, once.
const VECTORS = join(import.meta.dir, "../../../shared/vectors/sm-backup-list");
const present = existsSync(VECTORS);
if (!present) console.log(`skipping restore of SM's vector manifests: ${VECTORS} is absent (no ../shared checkout)`);
const TOKEN = "restore-vectors";
/** Cluster 2e4ac82f, dc1 + dc2, backuptest_restore.test_table (with system_schema). */
const TAG = "sm_20210416130831UTC";
/** Cluster f840add7, dc1 only, backuptest_data.big_table; its SSTable dirs also hold two later tags' files. */
const OLD_TAG = "sm_20210602083539UTC";
let root: string;
let emu: EmulatedCluster;
let agents: EmulatedAgents;

/** One file a manifest of a tag lists, with the digest of what the bucket holds. */
interface VectorFile {
  dc: string;
  table: string;
  key: string;
}
const byTag = new Map<string, VectorFile[]>();

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

const TOC =
  "CompressionInfo.db\nData.db\nDigest.crc32\nFilter.db\nIndex.db\nScylla.db\nStatistics.db\nSummary.db\nTOC.txt\n";

describe.skipIf(!present)("restore from SM's vector manifests", () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "restore-vectors-"));
    const bucket = join(root, "bucket");
    cpSync(join(VECTORS, "backup"), join(bucket, "backup"), { recursive: true });
    for (const file of walk(join(bucket, "backup", "meta"))) {
      const info = parseManifestPath(file.slice(bucket.length + 1));
      if (!info || info.temporary) continue;
      const manifest = await decodeManifest(readFileSync(file));
      for (const fm of manifest.index ?? []) {
        const dir = join(
          bucket,
          sstVersionDir(info.clusterId, info.dc, info.nodeId, fm.keyspace, fm.table, fm.version),
        );
        mkdirSync(dir, { recursive: true });
        for (const name of fm.files ?? []) {
          const path = join(dir, name);
          // Tags of one task share the dir: a file is written once, with content unique to its node.
          if (!existsSync(path)) {
            const body = name.endsWith("TOC.txt")
              ? TOC
              : `${info.nodeId}/${fm.keyspace}.${fm.table}/${name}\n`.repeat(64);
            writeFileSync(path, body);
          }
          const d = digestFile(path);
          const list = byTag.get(info.snapshotTag) ?? [];
          list.push({ dc: info.dc, table: `${fm.keyspace}.${fm.table}`, key: `${name}|${d.size}|${d.crc32}` });
          byTag.set(info.snapshotTag, list);
        }
      }
    }
    const nts = { class: "NetworkTopologyStrategy", replication_factor: 3 };
    emu = await startCluster({
      dcs: [3, 3],
      ipPrefix: "127.4.7.",
      schema: {
        keyspaces: [
          { name: "backuptest_restore", replication: nts, tables: [{ name: "test_table", size: "64KiB" }] },
          { name: "backuptest_data", replication: nts, tables: [{ name: "big_table", size: "64KiB" }] },
        ],
      },
    });
    agents = await startAgents(emu, { authToken: TOKEN, config: { localstorage: { path: root } } });
  }, 90_000);

  afterAll(async () => {
    await agents?.close();
    await emu?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  async function restore(tag: string, keyspace: string, dcMapping?: Record<string, string>): Promise<LoadEntry[]> {
    const cluster = await Cluster.connect({ host: emu.nodes[0]?.ip as string, authToken: TOKEN });
    try {
      const since = emu.ledger.loads();
      const plan = await Restore.plan(cluster, {
        location: ["localstorage:bucket"],
        snapshotTag: tag,
        keyspace: [keyspace],
        dcMapping,
        repair: null,
        timings: { jobPollSeconds: 1, loadRetryMs: 200 },
      });
      await plan.run();
      return emu.ledger.loads().filter((l) => !since.includes(l));
    } finally {
      await cluster.close();
    }
  }

  const loadedKeys = (loads: LoadEntry[]) =>
    loads
      .filter((l) => l.outcome === "successful")
      .flatMap((l) => l.files.map((f) => `${f.name}|${f.size}|${f.digest}`))
      .sort();
  const wanted = (tag: string, table: string, dc?: string) =>
    (byTag.get(tag) ?? [])
      .filter((f) => f.table === table && (dc === undefined || f.dc === dc))
      .map((f) => f.key)
      .sort();
  const dirOf = (ks: string, t: string) => `${t}-${emu.schema.table(ks, t)?.id.replaceAll("-", "")}`;

  test("every SSTable file of SM's snapshot is loaded once, by name, size and CRC, into the table's dir", async () => {
    const loads = await restore(TAG, "backuptest_restore");
    const want = wanted(TAG, "backuptest_restore.test_table");
    expect(want.length).toBe(6 * 18);
    expect(loadedKeys(loads)).toEqual(want);
    expect(loads.every((l) => l.loadAndStream && l.primaryReplicaOnly)).toBe(true);
    expect([...new Set(loads.map((l) => `${l.keyspace}/${l.dir}`))]).toEqual([
      `backuptest_restore/${dirOf("backuptest_restore", "test_table")}`,
    ]);
  }, 120_000);

  test("dc_mapping dc1=dc2, dc2=dc1: each source DC's files are loaded once by the other DC's nodes", async () => {
    const loads = await restore(TAG, "backuptest_restore", { dc1: "dc2", dc2: "dc1" });
    const dcOf = (ip: string) => emu.nodes.find((n) => n.ip === ip)?.dc;
    for (const [source, target] of [
      ["dc1", "dc2"],
      ["dc2", "dc1"],
    ] as const) {
      const onTarget = loads.filter((l) => dcOf(l.host) === target);
      expect(loadedKeys(onTarget)).toEqual(wanted(TAG, "backuptest_restore.test_table", source));
    }
  }, 120_000);

  test("another cluster's older tag in the same bucket: only its own files, not the later tags' in the dirs", async () => {
    const loads = await restore(OLD_TAG, "backuptest_data");
    const want = wanted(OLD_TAG, "backuptest_data.big_table");
    const all = new Set(
      [...byTag.values()]
        .flat()
        .filter((f) => f.table === "backuptest_data.big_table")
        .map((f) => f.key),
    );
    expect(want.length).toBe(3 * 18);
    expect(all.size).toBeGreaterThan(want.length);
    expect(loadedKeys(loads)).toEqual(want);
  }, 120_000);
});
