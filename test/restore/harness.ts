/**
 * A restore test bed on the emulator: a cluster on `ipPrefix` with our agents serving a localstorage root that
 * holds an SM-layout backup written from the nodes' own snapshots, and the ledger checks restore tests share.
 * @module
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Backend } from "../../agent/providers/provider.ts";
import { Cluster } from "../../src/cluster/cluster.ts";
import { type EmulatedAgents, startAgents } from "../emulator/agents.ts";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import type { Ledger, LoadEntry } from "../emulator/ledger.ts";
import { snapshotFiles } from "../emulator/storage/snapshot-digests.ts";
import { testSchemaSpec } from "../emulator/storage/testing.ts";
import { writeTestBackup } from "./bucket.ts";

export const TOKEN = "restore-token";
export const TAG = "sm_20250101000000UTC";
export const SOURCE_CLUSTER = "11111111-2222-3333-4444-555555555555";
export const SOURCE_TASK = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

export interface RestoreBed {
  cluster: EmulatedCluster;
  agents: EmulatedAgents;
  root: string;
  connect(): Promise<Cluster>;
  close(): Promise<void>;
}

/** Starts the bed; the backup holds `keyspaces` of every node. */
export async function startRestoreBed(options: {
  ipPrefix: string;
  dcs?: number[];
  keyspaces?: string[];
  temporaryNodes?: (cluster: EmulatedCluster) => string[];
  /** Wraps the agents' storage backends (a `StorageSpy`'s `wrap`). */
  wrapBackend?: (backend: Backend) => Backend;
}): Promise<RestoreBed> {
  const root = mkdtempSync(join(tmpdir(), "restore-bed-"));
  mkdirSync(join(root, "bucket"));
  const cluster = await startCluster({
    dcs: options.dcs ?? [2, 2],
    ipPrefix: options.ipPrefix,
    schema: testSchemaSpec(),
  });
  const agents = await startAgents(cluster, {
    authToken: TOKEN,
    config: { localstorage: { path: root } },
    wrapBackend: options.wrapBackend,
  });
  await writeTestBackup(cluster, {
    root,
    bucket: "bucket",
    clusterId: SOURCE_CLUSTER,
    taskId: SOURCE_TASK,
    tag: TAG,
    keyspaces: options.keyspaces ?? ["ks1", "ks3"],
    temporaryNodes: options.temporaryNodes?.(cluster),
  });
  return {
    cluster,
    agents,
    root,
    connect: () => Cluster.connect({ host: cluster.nodes[0]?.ip as string, authToken: TOKEN }),
    async close() {
      await agents.close();
      await cluster.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** What {@link restoredOnceProblems} checks. */
export interface RestoredOnceCheck {
  /** The ledger of the cluster the backup was taken from (its snapshots of {@link TAG}). */
  source: Ledger;
  /** The ledger of the cluster restored into (its loads). */
  target: Ledger;
  /** `ks.table` names. */
  tables: readonly string[];
  /** The snapshot tag restored; default {@link TAG}. */
  tag?: string;
  /** Loads recorded before the run (ignored). */
  since?: readonly LoadEntry[];
  /** Only snapshot files taken on these source hosts are expected (default all). */
  sourceHosts?: (host: string) => boolean;
  /** Where a file of `sourceHost` may be loaded (default anywhere). */
  loadedOn?: (sourceHost: string, targetHost: string) => boolean;
  /** `ks.table` → the target's table dir (`<table>-<id>`) every load must have used. */
  dirs?: ReadonlyMap<string, string>;
}

const fileKey = (f: { name: string; size: number; digest: string }) => `${f.name}|${f.size}|${f.digest}`;

/**
 * Every expected snapshot file loaded exactly once by a successful load&stream (primary replica only), by name, size
 * and CRC, into the table's current dir, and nothing else loaded. Returns the problems (empty when all is well).
 */
export function restoredOnceProblems(c: RestoredOnceCheck): string[] {
  const problems: string[] = [];
  const since = new Set(c.since ?? []);
  for (const name of c.tables) {
    const [ks, t] = name.split(".") as [string, string];
    const captured = snapshotFiles(c.source, c.tag ?? TAG, ks, t);
    const expected = new Map(captured.filter((f) => c.sourceHosts?.(f.host) ?? true).map((f) => [fileKey(f), f.host]));
    const all = new Set(captured.map(fileKey));
    if (expected.size === 0) problems.push(`${name}: no snapshot files`);
    const counts = new Map<string, number>();
    for (const l of c.target.loads(ks, t)) {
      if (l.outcome !== "successful" || since.has(l)) continue;
      if (!l.loadAndStream || !l.primaryReplicaOnly) problems.push(`${name}: a load on ${l.host} without load&stream`);
      const dir = c.dirs?.get(name);
      if (dir !== undefined && l.dir !== dir) problems.push(`${name}: loaded into ${l.dir} on ${l.host}, want ${dir}`);
      for (const f of l.files) {
        const key = fileKey(f);
        counts.set(key, (counts.get(key) ?? 0) + 1);
        const from = expected.get(key);
        if (from !== undefined && c.loadedOn && !c.loadedOn(from, l.host))
          problems.push(`${name}: ${key} of ${from} loaded on ${l.host}`);
      }
    }
    for (const k of expected.keys())
      if ((counts.get(k) ?? 0) !== 1) problems.push(`${name}: ${k} loaded ${counts.get(k) ?? 0} times`);
    for (const k of counts.keys()) {
      if (!expected.has(k)) problems.push(`${name}: unexpected ${k}${all.has(k) ? " (of an unmapped source)" : ""}`);
    }
  }
  return problems;
}

/** Every snapshot file of the tables loaded exactly once and nothing else (loads in `since` ignored). */
export function expectExactlyOnce(
  cluster: EmulatedCluster,
  tables: readonly string[],
  since: readonly LoadEntry[] = [],
): string[] {
  return restoredOnceProblems({ source: cluster.ledger, target: cluster.ledger, tables, since });
}
