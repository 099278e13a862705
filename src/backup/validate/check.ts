/**
 * SM's validate check of one node directory (`purger.Validate`), pure: files named by regular manifests are
 * expected, files named by temporary manifests are tolerated (a backup in progress); a listed file that is neither
 * and not newer than the validation start is an orphan; an expected file never listed is missing, and every
 * regular manifest that names one is a broken snapshot. Versioned files are never listed (`newestOnly`).
 * @module
 */
import type { FilesMeta } from "../layout/manifest.ts";

/** What the check knows of one manifest of the node. */
export interface CheckedManifest {
  snapshotTag: string;
  temporary: boolean;
  index: readonly FilesMeta[];
}

/** A listed file, path relative to the node's sst dir (`keyspace/<ks>/table/<t>/<version>/<file>`). */
export interface ListedFile {
  path: string;
  size: number;
  /** ms since epoch; NaN when unknown. */
  modTimeMs: number;
}

/** The outcome for one node. */
export interface NodeCheck {
  scannedFiles: number;
  missingFiles: number;
  orphanedFiles: number;
  orphanedBytes: number;
  brokenSnapshots: string[];
  /** Orphans, relative to the node's sst dir (what `delete_orphaned_files` deletes). */
  orphans: string[];
}

/** Relative path of a manifest's file in the node's sst dir. */
export function nodeRelativePath(meta: FilesMeta, file: string): string {
  return `keyspace/${meta.keyspace}/table/${meta.table}/${meta.version}/${file}`;
}

/** Checks one node's listing against its manifests. */
export function checkNode(
  manifests: readonly CheckedManifest[],
  listed: readonly ListedFile[],
  startedAtMs: number,
): NodeCheck {
  const expected = new Map<string, Set<string>>();
  const tolerated = new Set<string>();
  for (const m of manifests) {
    for (const meta of m.index) {
      for (const file of [...(meta.files ?? []), ...(meta.scylla_manifests ?? [])]) {
        const path = nodeRelativePath(meta, file);
        if (m.temporary) tolerated.add(path);
        else {
          const tags = expected.get(path) ?? new Set<string>();
          tags.add(m.snapshotTag);
          expected.set(path, tags);
        }
      }
    }
  }
  const seen = new Set<string>();
  const orphans: string[] = [];
  let orphanedBytes = 0;
  for (const file of listed) {
    if (expected.has(file.path)) {
      seen.add(file.path);
      continue;
    }
    if (tolerated.has(file.path)) continue;
    if (Number.isFinite(file.modTimeMs) && file.modTimeMs > startedAtMs) continue;
    orphans.push(file.path);
    orphanedBytes += file.size;
  }
  const broken = new Set<string>();
  let missing = 0;
  for (const [path, tags] of expected) {
    if (seen.has(path)) continue;
    missing++;
    for (const tag of tags) broken.add(tag);
  }
  return {
    scannedFiles: listed.length,
    missingFiles: missing,
    orphanedFiles: orphans.length,
    orphanedBytes,
    brokenSnapshots: [...broken].sort(),
    orphans,
  };
}
