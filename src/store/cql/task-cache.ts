/**
 * The CQL store's memory of each cluster's tasks, so listing 1,000 tasks does not read and decode 1,000 rows per
 * request (nor per leader sync). Every task write sets the partition's static `tasks_version` to a new random value
 * in the same INSERT, so a reader that sees a version sees the rows written with it. A listing reads that one
 * static cell; only when it differs from the cached one (or is missing: rows written before the column existed)
 * are the cluster's rows read again. Every server of a store does the same, so a task written through another
 * server is listed at once. Entries older than `maxAgeMs` are read again anyway, which bounds what a clock
 * skew between servers could hide (a write timestamped before the current version's loses to it).
 * Documents are kept as their JSON text: each caller of `ofCluster`/`all` gets its own parsed copies; the `shared`
 * variants decode an entry once into deep-frozen records (sorted by `order`) that every caller gets while the
 * version holds.
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

export interface TaskCache<T = unknown> {
  /** The JSON documents of a cluster's tasks. */
  ofCluster(clusterId: string): Promise<string[]>;
  /** The JSON documents of every cluster's tasks. */
  all(): Promise<string[]>;
  /** A cluster's tasks decoded, deep-frozen and sorted; the same array while the version holds. */
  sharedOfCluster(clusterId: string): Promise<readonly T[]>;
  /** Every cluster's tasks decoded and deep-frozen, each cluster's sorted, clusters in the order of `readVersions`. */
  sharedAll(): Promise<readonly T[]>;
}

interface Entry<T> {
  version: string;
  docs: string[];
  readAt: number;
  /** `docs` decoded, frozen and sorted: made on the first shared read. */
  shared?: readonly T[];
}

/** Freezes a JSON value and everything in it. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** How long a cached cluster is trusted on its version alone, ms. */
export const TASK_CACHE_MAX_AGE_MS = 10_000;

export interface TaskCacheOptions<T> {
  maxAgeMs?: number;
  now?: () => number;
  /** The order of shared records (default: as read). */
  order?: (a: T, b: T) => number;
}

export function createTaskCache<T = unknown>(source: TaskCacheSource, options: TaskCacheOptions<T> = {}): TaskCache<T> {
  const maxAgeMs = options.maxAgeMs ?? TASK_CACHE_MAX_AGE_MS;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry<T>>();

  const fresh = (entry: Entry<T> | undefined, version: string | null): entry is Entry<T> =>
    entry !== undefined && version !== null && entry.version === version && now() - entry.readAt < maxAgeMs;

  /** The cluster's rows read again; an entry only when they carry a version (else nothing is trusted later). */
  async function reload(clusterId: string): Promise<Entry<T>> {
    const readAt = now();
    const { version, docs } = await source.readTasks(clusterId);
    const entry = { version: version ?? "", docs, readAt };
    if (version === null) entries.delete(clusterId);
    else entries.set(clusterId, entry);
    return entry;
  }

  function shared(entry: Entry<T>): readonly T[] {
    if (!entry.shared) {
      const records = entry.docs.map((doc) => deepFreeze(JSON.parse(doc) as T));
      if (options.order) records.sort(options.order);
      entry.shared = Object.freeze(records);
    }
    return entry.shared;
  }

  async function ofCluster(clusterId: string): Promise<Entry<T>> {
    const entry = entries.get(clusterId);
    if (entry && fresh(entry, await source.readVersion(clusterId))) return entry;
    return reload(clusterId);
  }

  async function all(): Promise<Entry<T>[]> {
    const versions = await source.readVersions();
    const seen = new Set(versions.map((v) => v.clusterId));
    for (const id of entries.keys()) if (!seen.has(id)) entries.delete(id);
    const out: Entry<T>[] = [];
    for (const { clusterId, version } of versions) {
      const entry = entries.get(clusterId);
      out.push(fresh(entry, version) ? entry : await reload(clusterId));
    }
    return out;
  }

  return {
    ofCluster: async (clusterId) => (await ofCluster(clusterId)).docs,
    all: async () => (await all()).flatMap((entry) => entry.docs),
    sharedOfCluster: async (clusterId) => shared(await ofCluster(clusterId)),
    sharedAll: async () => (await all()).flatMap((entry) => shared(entry)),
  };
}
