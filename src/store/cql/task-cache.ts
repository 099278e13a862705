/**
 * The CQL store's memory of each cluster's tasks, so listing 1,000 tasks does not read and decode 1,000 rows per
 * request (nor per leader sync). Every task write sets the partition's static `tasks_version` to a new random value
 * in the same INSERT, so a reader that sees a version sees the rows written with it. A listing reads that one
 * static cell; only when it differs from the cached one (or is missing: rows written before the column existed)
 * are the cluster's rows read again. Every server of a store does the same, so a task written through another
 * server is listed at once. Entries older than `maxAgeMs` are read again anyway, which bounds what a clock
 * skew between servers could hide (a write timestamped before the current version's loses to it).
 * Documents are kept as their JSON text: each caller gets its own parsed copies.
 * @module
 */

export interface TaskCacheSource {
  /** The cluster's tasks_version (null when none is set). */
  readVersion(clusterId: string): Promise<string | null>;
  /** Every cluster holding tasks, with its tasks_version. */
  readVersions(): Promise<{ clusterId: string; version: string | null }[]>;
  /** The cluster's task documents and the version read with them. */
  readTasks(clusterId: string): Promise<{ version: string | null; docs: string[] }>;
}

export interface TaskCache {
  /** The JSON documents of a cluster's tasks. */
  ofCluster(clusterId: string): Promise<string[]>;
  /** The JSON documents of every cluster's tasks. */
  all(): Promise<string[]>;
}

interface Entry {
  version: string;
  docs: string[];
  readAt: number;
}

/** How long a cached cluster is trusted on its version alone, ms. */
export const TASK_CACHE_MAX_AGE_MS = 10_000;

export function createTaskCache(
  source: TaskCacheSource,
  options: { maxAgeMs?: number; now?: () => number } = {},
): TaskCache {
  const maxAgeMs = options.maxAgeMs ?? TASK_CACHE_MAX_AGE_MS;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();

  const fresh = (entry: Entry | undefined, version: string | null): entry is Entry =>
    entry !== undefined && version !== null && entry.version === version && now() - entry.readAt < maxAgeMs;

  async function reload(clusterId: string): Promise<string[]> {
    const readAt = now();
    const { version, docs } = await source.readTasks(clusterId);
    if (version === null) entries.delete(clusterId);
    else entries.set(clusterId, { version, docs, readAt });
    return docs;
  }

  return {
    async ofCluster(clusterId) {
      const entry = entries.get(clusterId);
      if (entry && fresh(entry, await source.readVersion(clusterId))) return entry.docs;
      return reload(clusterId);
    },
    async all() {
      const versions = await source.readVersions();
      const seen = new Set(versions.map((v) => v.clusterId));
      for (const id of entries.keys()) if (!seen.has(id)) entries.delete(id);
      const out: string[] = [];
      for (const { clusterId, version } of versions) {
        const entry = entries.get(clusterId);
        out.push(...(fresh(entry, version) ? entry.docs : await reload(clusterId)));
      }
      return out;
    },
  };
}
