import { describe, expect, test } from "bun:test";
import {
  type FilesMeta,
  type ManifestPathInfo,
  sstNodeDir as nodeDir,
  sstVersionDir,
  snapshotTagAt as tagAt,
} from "./layout/index.ts";

const snapshotTagAt = (ms: number): string => tagAt(new Date(ms));

import { type RetentionPolicy, retentionOfTask } from "./properties.ts";
import { type PurgeManifest, planNodePurge, protectedTags, staleTags } from "./purge.ts";

// Purge property test: random histories of backups (several tasks, retention changes, deleted and unknown tasks,
// failed runs leaving temp manifests, node replacements, integer SSTable IDs reused with new content so uploads
// version the old copy). After every purge: each kept manifest still reads exactly the content it recorded (by SM's
// versioned-file rule), and no SSTable object is left that no kept manifest reads.

const CLUSTER = "3e99d4a8-67d2-45fe-87fb-87b1b90ea2dc";
const TASKS = [
  "f70117d8-c10e-4e90-9606-2587936b3757",
  "0a1b2c3d-0000-4000-8000-000000000001",
  "0a1b2c3d-0000-4000-8000-000000000002",
];
const TABLES = [
  { keyspace: "ks", table: "a", version: "a".repeat(32) },
  { keyspace: "ks", table: "b", version: "b".repeat(32) },
];

/** Seeded PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface SimManifest extends PurgeManifest {
  /** name → content id the snapshot had, per sst dir. */
  expected: Map<string, Map<string, string>>;
}

interface SimNode {
  id: string;
  gen: number;
  /** dir → name → content id. */
  live: Map<string, Map<string, string>>;
}

function runHistory(seed: number): void {
  const r = rng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(r() * items.length)] as T;
  const bucket = new Map<string, string>(); // object path → content id
  const manifests: SimManifest[] = [];
  let contentSeq = 0;
  let nodeSeq = 0;
  const uuidIds = r() < 0.5;
  const newNode = (): SimNode => {
    nodeSeq++;
    return { id: `00000000-0000-4000-8000-${String(nodeSeq).padStart(12, "0")}`, gen: 0, live: new Map() };
  };
  const nodes = [newNode(), newNode()];
  const policies = new Map<string, RetentionPolicy>();
  const deleted = new Set<string>();
  for (const t of TASKS) {
    policies.set(t, { retention: Math.floor(r() * 4), retentionDays: r() < 0.5 ? 0 : 1 + Math.floor(r() * 5) });
  }
  const flush = (node: SimNode) => {
    for (const t of TABLES) {
      const dir = sstVersionDir(CLUSTER, "dc1", node.id, t.keyspace, t.table, t.version);
      const live = node.live.get(dir) ?? new Map<string, string>();
      // Compaction drops some SSTables, flushes add new ones.
      for (const name of [...live.keys()]) if (r() < 0.3) live.delete(name);
      const adds = Math.floor(r() * 3);
      for (let i = 0; i < adds; i++) {
        node.gen++;
        const id = uuidIds ? `u${nodeSeq}x${node.gen}x${Math.floor(r() * 1e9)}` : String(node.gen);
        live.set(`me-${id}-big-Data.db`, `c${++contentSeq}`);
      }
      node.live.set(dir, live);
    }
  };
  let now = Date.UTC(2026, 0, 1);
  const steps = 4 + Math.floor(r() * 8);
  for (let step = 0; step < steps; step++) {
    now += (1 + Math.floor(r() * 40)) * 3_600_000;
    const event = r();
    if (event < 0.1) {
      // Node replaced: a new host ID; with integer IDs the new node reuses generations from 1.
      const i = Math.floor(r() * nodes.length);
      nodes[i] = newNode();
    } else if (event < 0.18) {
      const t = pick(TASKS);
      if (!deleted.has(t)) {
        deleted.add(t);
        const old = policies.get(t) ?? { retention: 0, retentionDays: 0 };
        policies.set(t, retentionOfTask({ retention: old.retention, retention_days: old.retentionDays }, true));
      }
    } else if (event < 0.22) {
      policies.delete(pick(TASKS)); // unknown to this manager: 30 days
    } else if (event < 0.3) {
      const t = pick(TASKS);
      if (!deleted.has(t)) {
        policies.set(t, { retention: Math.floor(r() * 4), retentionDays: r() < 0.5 ? 0 : 1 + Math.floor(r() * 5) });
      }
    }
    for (const node of nodes) flush(node);
    const task = pick(TASKS.filter((t) => !deleted.has(t)).concat(TASKS[0] as string));
    const tag = snapshotTagAt(now);
    const failed = r() < 0.2;
    // Temp manifests first (listing every file), then uploads.
    const runManifests: SimManifest[] = [];
    for (const node of nodes) {
      const info: ManifestPathInfo = {
        clusterId: CLUSTER,
        dc: "dc1",
        nodeId: node.id,
        taskId: task,
        snapshotTag: tag,
        temporary: true,
      };
      const index: FilesMeta[] = [];
      const expected = new Map<string, Map<string, string>>();
      for (const t of TABLES) {
        const dir = sstVersionDir(CLUSTER, "dc1", node.id, t.keyspace, t.table, t.version);
        const live = node.live.get(dir) ?? new Map();
        index.push({
          keyspace: t.keyspace,
          table: t.table,
          replication_type: "vnodes",
          version: t.version,
          files: [...live.keys()],
          size: live.size,
          scylla_manifests: [`tag_${tag}_node_${node.id}_manifest.json`],
        });
        expected.set(dir, new Map(live));
      }
      const m: SimManifest = { info, index, expected };
      manifests.push(m);
      runManifests.push(m);
    }
    const uploadNodes = failed ? nodes.filter(() => r() < 0.5) : nodes;
    for (const node of uploadNodes) {
      for (const [dir, live] of node.live) {
        bucket.set(`${dir}/tag_${tag}_node_${node.id}_manifest.json`, "scylla");
        for (const [name, content] of live) {
          if (failed && r() < 0.5) continue;
          const path = `${dir}/${name}`;
          const remote = bucket.get(path);
          if (remote === content) continue; // deduplicated
          if (remote !== undefined && !bucket.has(`${path}.${tag}`)) bucket.set(`${path}.${tag}`, remote);
          bucket.set(path, content);
        }
      }
    }
    if (failed) continue;
    for (const m of runManifests) m.info = { ...m.info, temporary: false };
    // PURGE at the end of the successful run, over every task's manifests.
    const { stale } = staleTags(manifests, (id) => policies.get(id), now);
    const byNode = new Map<string, SimManifest[]>();
    for (const m of manifests) byNode.set(m.info.nodeId, [...(byNode.get(m.info.nodeId) ?? []), m]);
    for (const [nodeId, list] of byNode) {
      const base = `${nodeDir(CLUSTER, "dc1", nodeId)}/`;
      const versioned = [...bucket.keys()]
        .filter((p) => p.startsWith(base) && /\.sm_[0-9]{14}UTC$/.test(p))
        .map((p) => p.slice(base.length));
      const plan = planNodePurge(list, stale, versioned);
      for (const [dir, names] of plan.files) for (const n of names) bucket.delete(`${dir}/${n}`);
      for (const m of plan.manifests) manifests.splice(manifests.indexOf(m as SimManifest), 1);
    }
    checkInvariants(bucket, manifests, seed);
  }
}

/** Path → its versioned copies' suffixes, sorted. */
function versionIndex(bucket: ReadonlyMap<string, string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of bucket.keys()) {
    const m = /^(.*)\.(sm_[0-9]{14}UTC)$/.exec(p);
    if (!m) continue;
    out.set(m[1] as string, [...(out.get(m[1] as string) ?? []), m[2] as string]);
  }
  for (const list of out.values()) list.sort();
  return out;
}

/** SM's restore rule: the smallest versioned suffix newer than the tag, else the plain file. */
function resolve(versions: ReadonlyMap<string, string[]>, path: string, tag: string): string {
  const x = versions.get(path)?.find((v) => v > tag);
  return x === undefined ? path : `${path}.${x}`;
}

function checkInvariants(bucket: ReadonlyMap<string, string>, manifests: readonly SimManifest[], seed: number): void {
  const needed = new Set<string>();
  const versions = versionIndex(bucket);
  for (const m of manifests) {
    // After a successful run's purge every remaining manifest is a kept, regular one.
    if (m.info.temporary) throw new Error(`seed ${seed}: temp manifest left after purge`);
    for (const [dir, files] of m.expected) {
      needed.add(`${dir}/tag_${m.info.snapshotTag}_node_${m.info.nodeId}_manifest.json`);
      for (const [name, content] of files) {
        const object = resolve(versions, `${dir}/${name}`, m.info.snapshotTag);
        if (bucket.get(object) !== content) {
          throw new Error(
            `seed ${seed}: ${m.info.snapshotTag} reads ${object} = ${bucket.get(object)}, want ${content}`,
          );
        }
        needed.add(object);
      }
    }
  }
  for (const path of bucket.keys()) {
    if (!needed.has(path)) throw new Error(`seed ${seed}: ${path} is referenced by no kept manifest`);
  }
}

describe("purge property", () => {
  test("10,000 random histories: no kept file lost, nothing unreferenced left", () => {
    for (let seed = 1; seed <= 10_000; seed++) runHistory(seed);
    expect(true).toBe(true);
  }, 120_000);

  test("stale tags: count and days per task, unknown tasks 30 days, temps always stale", () => {
    const info = (task: string, tag: string, temporary = false): { info: ManifestPathInfo } => ({
      info: { clusterId: CLUSTER, dc: "dc1", nodeId: "n1", taskId: task, snapshotTag: tag, temporary },
    });
    const now = Date.UTC(2026, 0, 31);
    const day = 86_400_000;
    const [a, b, c] = TASKS as [string, string, string];
    const manifests = [
      info(a, snapshotTagAt(now - 3 * day)),
      info(a, snapshotTagAt(now - 2 * day)),
      info(a, snapshotTagAt(now - day)),
      info(b, snapshotTagAt(now - 10 * day)),
      info(b, snapshotTagAt(now - day), true),
      info(c, snapshotTagAt(now - 40 * day)),
      info(c, snapshotTagAt(now - 20 * day)),
    ];
    const policies = new Map<string, RetentionPolicy>([
      [a, { retention: 2, retentionDays: 0 }],
      [b, { retention: 0, retentionDays: 7 }],
    ]);
    const { stale, oldestKeptMs } = staleTags(manifests, (id) => policies.get(id), now);
    expect([...stale].sort()).toEqual(
      [
        `${a}/${snapshotTagAt(now - 3 * day)}`,
        `${b}/${snapshotTagAt(now - 10 * day)}`,
        `${b}/${snapshotTagAt(now - day)}`,
        `${c}/${snapshotTagAt(now - 40 * day)}`,
      ].sort(),
    );
    expect(oldestKeptMs).toBe(now - 20 * day);
  });

  test("protected tags (a hold, or an unexpired retention, on any manifest, temps included) are never stale", () => {
    const now = Date.UTC(2026, 0, 31);
    const day = 86_400_000;
    const [a] = TASKS as [string];
    const tags = [5, 4, 3, 2, 1].map((d) => snapshotTagAt(now - d * day));
    const [t5, t4, t3, t2, t1] = tags as [string, string, string, string, string];
    const lock = (retentionMode: string, retainUntil: number, eventBasedHold = false) => ({
      retentionMode,
      retainUntil: new Date(retainUntil).toISOString(),
      eventBasedHold,
    });
    const m = (tag: string, extra: Partial<ManifestPathInfo> & { lock?: ReturnType<typeof lock> } = {}) => ({
      info: { clusterId: CLUSTER, dc: "dc1", nodeId: "n1", taskId: a, snapshotTag: tag, temporary: false, ...extra },
      index: [],
    });
    const manifests = [
      m(t5, { lock: lock("locked", now + day) }), // retained: protected
      m(t4, { lock: lock("unlocked", now - 1) }), // retention expired: purgeable
      m(t3, { nodeId: "n2", temporary: true, lock: lock("", 0, true) }), // a held temp of another node protects the tag
      m(t3),
      m(t2, { lock: lock("", 0) }),
      m(t1),
    ];
    const protect = protectedTags(manifests, now);
    expect([...protect].sort()).toEqual([t3, t5].sort());
    const { stale, oldestKeptMs } = staleTags(manifests, () => ({ retention: 1, retentionDays: 0 }), now, protect);
    expect([...stale].sort()).toEqual([`${a}/${t4}`, `${a}/${t2}`].sort());
    expect(oldestKeptMs).toBe(now - 5 * day);
    // Without protection the same policy would purge them: the protection is what keeps them.
    expect(staleTags(manifests, () => ({ retention: 1, retentionDays: 0 }), now).stale.has(`${a}/${t5}`)).toBe(true);
    const plan = planNodePurge(
      manifests.filter((x) => x.info.nodeId === "n1"),
      stale,
    );
    expect(plan.manifests.map((x) => x.info.snapshotTag).sort()).toEqual([t2, t4].sort());
  });
});
