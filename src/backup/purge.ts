/**
 * Retention and purge as pure functions (SM's `staleTags` and purger, `pkg/service/backup/purge.go`), so the rule
 * "never delete a file a kept manifest references" is testable on data alone:
 * - temp manifests shadowed by a regular one of the same node/task/tag are ignored;
 * - stale tags: every unshadowed temp manifest's tag; per task, tags older than `retention_days` calendar days;
 *   all but the newest `retention` distinct tags of the task; tasks absent from the retention map keep 30 days;
 * - per node: files of stale manifests minus files of kept manifests, per SSTable dir (dedup never crosses node
 *   directories); versioned copies that no kept manifest reads (which includes SM's "suffix at or before the oldest
 *   kept tag").
 * @module
 */
import {
  type FilesMeta,
  type ManifestPathInfo,
  sstNodeDir as nodeDir,
  schemaPath,
  scyllaManifestName,
  sstVersionDir,
  snapshotTagTime as tagDate,
} from "./layout/index.ts";

const snapshotTagTime = (tag: string): number => tagDate(tag).getTime();

import { isLockedAt, type ObjectLockState } from "./layout/list.ts";
import type { RetentionPolicy } from "./properties.ts";

/** A manifest with its content (the index). */
export interface PurgeManifest {
  info: ManifestPathInfo;
  index: readonly FilesMeta[];
  /** The manifest's `schema` field (bucket-relative), "" when none. */
  schema?: string;
}

/** Policy of a task not in the retention map (deleted long ago, or written by another manager). */
export const UNKNOWN_TASK_POLICY: RetentionPolicy = { retention: 0, retentionDays: 30 };

/** Drops temp manifests that have a regular manifest beside them. */
export function dropShadowedTemps<T extends { info: ManifestPathInfo }>(manifests: readonly T[]): T[] {
  const regular = new Set(
    manifests.filter((m) => !m.info.temporary).map((m) => `${m.info.nodeId}/${m.info.taskId}/${m.info.snapshotTag}`),
  );
  return manifests.filter(
    (m) => !m.info.temporary || !regular.has(`${m.info.nodeId}/${m.info.taskId}/${m.info.snapshotTag}`),
  );
}

/** `now` minus `days` calendar days (Go's `AddDate(0, 0, -days)` in UTC). */
function daysBefore(nowMs: number, days: number): number {
  const d = new Date(nowMs);
  d.setUTCDate(d.getUTCDate() - days);
  return d.getTime();
}

/**
 * Tags that must never be purged (SM's protected tags): the tag of any manifest, temporary ones included, under an
 * event-based hold or with a retention that has not expired. A tag is protected as a whole, for every node and
 * task, since its files would be kept anyway and a partial delete would leave broken snapshots.
 */
export function protectedTags(
  manifests: readonly { info: ManifestPathInfo & { lock?: ObjectLockState } }[],
  nowMs: number,
): Set<string> {
  return new Set(manifests.filter((m) => isLockedAt(m.info.lock, nowMs)).map((m) => m.info.snapshotTag));
}

/**
 * Stale tags per task (`task/tag` keys) and the time of the oldest kept tag (undefined when nothing is kept).
 * Tags in `protect` are never stale.
 */
export function staleTags(
  manifests: readonly { info: ManifestPathInfo }[],
  policyOf: (taskId: string) => RetentionPolicy | undefined,
  nowMs: number,
  protect: ReadonlySet<string> = new Set(),
): { stale: Set<string>; oldestKeptMs: number | undefined } {
  const visible = dropShadowedTemps(manifests);
  const stale = new Set<string>();
  const tagsByTask = new Map<string, Set<string>>();
  for (const m of visible) {
    const key = `${m.info.taskId}/${m.info.snapshotTag}`;
    if (m.info.temporary) stale.add(key);
    const tags = tagsByTask.get(m.info.taskId) ?? new Set<string>();
    tags.add(m.info.snapshotTag);
    tagsByTask.set(m.info.taskId, tags);
  }
  for (const [taskId, tags] of tagsByTask) {
    const policy = policyOf(taskId) ?? UNKNOWN_TASK_POLICY;
    const sorted = [...tags].sort();
    if (policy.retentionDays > 0) {
      const cutoff = daysBefore(nowMs, policy.retentionDays);
      for (const tag of sorted) if (snapshotTagTime(tag) < cutoff) stale.add(`${taskId}/${tag}`);
    }
    if (policy.retention > 0) {
      for (const tag of sorted.slice(0, Math.max(0, sorted.length - policy.retention))) stale.add(`${taskId}/${tag}`);
    }
  }
  for (const key of stale) if (protect.has(key.slice(key.indexOf("/") + 1))) stale.delete(key);
  let oldestKeptMs: number | undefined;
  for (const m of visible) {
    if (stale.has(`${m.info.taskId}/${m.info.snapshotTag}`)) continue;
    const t = snapshotTagTime(m.info.snapshotTag);
    if (oldestKeptMs === undefined || t < oldestKeptMs) oldestKeptMs = t;
  }
  return { stale, oldestKeptMs };
}

/** What purging one node directory deletes. */
export interface NodePurgePlan {
  /** SSTable dir (bucket-relative) → file names to delete. */
  files: Map<string, string[]>;
  /** Manifests (stale ones, and temps they shadow) to delete after the files. */
  manifests: PurgeManifest[];
}

const dirOf = (info: ManifestPathInfo, meta: FilesMeta) =>
  sstVersionDir(info.clusterId, info.dc, info.nodeId, meta.keyspace, meta.table, meta.version);

/**
 * Files of one node (all its manifests, any task) to delete: stale manifests' files and Scylla manifests minus
 * kept manifests' files, per SSTable dir; plus the copies among `versionedFiles` (paths relative to the node dir)
 * that no kept manifest reads.
 */
export function planNodePurge(
  manifests: readonly PurgeManifest[],
  stale: ReadonlySet<string>,
  versionedFiles: readonly string[] = [],
): NodePurgePlan {
  const visible = dropShadowedTemps(manifests);
  const isStale = (m: PurgeManifest) => stale.has(`${m.info.taskId}/${m.info.snapshotTag}`);
  const kept = new Map<string, Set<string>>();
  for (const m of visible) {
    if (isStale(m)) continue;
    for (const meta of m.index) {
      const dir = dirOf(m.info, meta);
      const set = kept.get(dir) ?? new Set<string>();
      for (const f of meta.files ?? []) set.add(f);
      for (const f of meta.scylla_manifests ?? []) set.add(f);
      kept.set(dir, set);
    }
  }
  const files = new Map<string, Set<string>>();
  const add = (dir: string, name: string) => {
    if (kept.get(dir)?.has(name)) return;
    const set = files.get(dir) ?? new Set<string>();
    set.add(name);
    files.set(dir, set);
  };
  const staleManifests: PurgeManifest[] = [];
  for (const m of visible) {
    if (!isStale(m)) continue;
    staleManifests.push(m);
    for (const meta of m.index) {
      const dir = dirOf(m.info, meta);
      for (const f of meta.files ?? []) add(dir, f);
      for (const f of meta.scylla_manifests ?? []) add(dir, f);
      // A Scylla manifest may be missing from old manifests' lists; its name is fixed by tag and node.
      add(dir, scyllaManifestName(m.info.snapshotTag, m.info.nodeId));
    }
  }
  // Versioned copies (`<name>.sm_<X>` holds the content snapshots older than X had). A tag T of a kept manifest reads
  // the smallest X > T, else the plain file. Every copy no kept manifest reads is deleted: SM's "suffix <= oldest kept
  // tag" rule, plus copies between kept tags that only stale snapshots read, plus a plain file whose every kept reader
  // reads a versioned copy.
  const node = manifests[0]?.info;
  if (node && versionedFiles.length > 0) {
    const base = nodeDir(node.clusterId, node.dc, node.nodeId);
    const versions = new Map<string, { dir: string; name: string; tags: string[] }>();
    for (const rel of versionedFiles) {
      const m = /^(.*)\/([^/]+)\.(sm_[0-9]{14}UTC)$/.exec(rel);
      if (!m) continue;
      const dir = `${base}/${m[1]}`;
      const key = `${dir}/${m[2]}`;
      const entry = versions.get(key) ?? { dir, name: m[2] as string, tags: [] };
      entry.tags.push(m[3] as string);
      versions.set(key, entry);
    }
    const readers = new Map<string, string[]>();
    for (const m of visible) {
      if (isStale(m)) continue;
      for (const meta of m.index) {
        const dir = dirOf(m.info, meta);
        for (const f of meta.files ?? []) {
          const key = `${dir}/${f}`;
          if (!versions.has(key)) continue;
          const list = readers.get(key) ?? [];
          list.push(m.info.snapshotTag);
          readers.set(key, list);
        }
      }
    }
    for (const [key, entry] of versions) {
      entry.tags.sort();
      const read = new Set<string>();
      for (const tag of readers.get(key) ?? []) read.add(entry.tags.find((x) => x > tag) ?? "");
      for (const x of entry.tags) if (!read.has(x)) add(entry.dir, `${entry.name}.${x}`);
      if (read.size > 0 && !read.has("")) files.set(entry.dir, (files.get(entry.dir) ?? new Set()).add(entry.name));
    }
  }
  // Temps shadowed by a stale regular manifest go with it.
  const staleKeys = new Set(staleManifests.map((m) => `${m.info.taskId}/${m.info.snapshotTag}`));
  for (const m of manifests) {
    if (m.info.temporary && !visible.includes(m) && staleKeys.has(`${m.info.taskId}/${m.info.snapshotTag}`)) {
      staleManifests.unshift(m);
    }
  }
  return {
    files: new Map([...files].map(([dir, set]) => [dir, [...set].sort()])),
    manifests: staleManifests,
  };
}

/** Schema files of stale tags (one per cluster/task/tag). */
export function staleSchemaFiles(manifests: readonly PurgeManifest[], stale: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  for (const m of manifests) {
    const key = `${m.info.taskId}/${m.info.snapshotTag}`;
    if (!stale.has(key)) continue;
    out.add(schemaPath(m.info.clusterId, m.info.taskId, m.info.snapshotTag));
    if (m.schema) out.add(m.schema);
  }
  return [...out].sort();
}
