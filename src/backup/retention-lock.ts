/**
 * Planning of the RETENTION_LOCK stage (SM's `unlocked`/`locked` modes, GCS object retention), pure so the order
 * and the resume rule are testable on data alone:
 * - each snapshot is retained until its tag time + `retention_days` × 24 h;
 * - per node, every SSTable file and Scylla manifest the uploaded manifest names is locked, directory by
 *   directory in batches of at most 10,000 paths (the agent's limit), and the node's SM manifest last: once the
 *   manifest is locked, everything it names is, so a reader can trust any locked manifest;
 * - files already retained at least as long, in the same mode or `locked`, are skipped. That makes a resumed
 *   stage do only what is left, and never asks GCS to shorten a lock (deduplicated files keep the later lock of a
 *   newer snapshot; older snapshots' locks on shared files are extended, which GCS always allows).
 * @module
 */
import { type FilesMeta, type ObjectLockState, snapshotTagTime, sstVersionDir } from "./layout/index.ts";

/** The agent takes at most this many paths per `operations/retention-lock` call. */
export const MAX_LOCK_PATHS = 10_000;

export type LockMode = "unlocked" | "locked";

/** Whether a run's lock mode is an object-retention one (the modes this stage handles). */
export function isRetentionMode(mode: string): mode is LockMode {
  return mode === "unlocked" || mode === "locked";
}

/** Tag time + `days` × 24 h. */
export function retainUntilOf(tag: string, days: number): Date {
  return new Date(snapshotTagTime(tag).getTime() + days * 86_400_000);
}

/** Whether an object's current retention already gives what `mode` until `until` asks for. */
export function lockCovers(current: ObjectLockState | undefined, mode: LockMode, until: Date): boolean {
  if (current === undefined) return false;
  const have = current.retentionMode.toLowerCase();
  if (have !== "locked" && have !== mode) return false;
  const currentUntil = Date.parse(current.retainUntil);
  return Number.isFinite(currentUntil) && currentUntil >= until.getTime();
}

/** One `operations/retention-lock` call: `paths` relative to `dir` (bucket-relative). */
export interface LockBatch {
  dir: string;
  paths: string[];
}

/** Splits names of one directory into batches of at most MAX_LOCK_PATHS. */
export function batchesOf(dir: string, names: readonly string[]): LockBatch[] {
  const out: LockBatch[] = [];
  for (let i = 0; i < names.length; i += MAX_LOCK_PATHS) out.push({ dir, paths: names.slice(i, i + MAX_LOCK_PATHS) });
  return out;
}

/** The node a manifest belongs to. */
export interface ManifestNode {
  clusterId: string;
  dc: string;
  nodeId: string;
}

/**
 * What to lock for one node's uploaded manifest: SSTable directories first (in index order), the manifest itself
 * (`manifestPath`, bucket-relative) last. `lockOf(path)` gives the current lock of a bucket-relative path.
 */
export function planNodeLocks(
  node: ManifestNode,
  index: readonly FilesMeta[],
  manifestPath: string,
  lockOf: (path: string) => ObjectLockState | undefined,
  mode: LockMode,
  until: Date,
): LockBatch[] {
  const byDir = new Map<string, Set<string>>();
  for (const meta of index) {
    const dir = sstVersionDir(node.clusterId, node.dc, node.nodeId, meta.keyspace, meta.table, meta.version);
    const names = byDir.get(dir) ?? new Set<string>();
    for (const name of [...(meta.files ?? []), ...(meta.scylla_manifests ?? [])]) {
      if (!lockCovers(lockOf(`${dir}/${name}`), mode, until)) names.add(name);
    }
    byDir.set(dir, names);
  }
  const batches = [...byDir].flatMap(([dir, names]) => batchesOf(dir, [...names]));
  if (!lockCovers(lockOf(manifestPath), mode, until)) {
    const slash = manifestPath.lastIndexOf("/");
    batches.push({ dir: manifestPath.slice(0, slash), paths: [manifestPath.slice(slash + 1)] });
  }
  return batches;
}
