/**
 * View build progress: a view (or index view) created after start-up builds for a modelled time proportional to its
 * base table's size, reporting STARTED until then and SUCCESS afterwards, so restore's polling of
 * `view_build_statuses` really waits. Views present at start-up are built.
 * @module
 */
import type { ClusterState } from "../node-context.ts";

/** Modelled view build throughput per node. */
const BUILD_BYTES_PER_SECOND = 64 * 1024 * 1024;
const MIN_BUILD_MS = 1000;

const trackers = new WeakMap<ClusterState, Map<string, number>>();

/** Starts tracking view creations of a cluster (idempotent). */
export function trackViewBuilds(cluster: ClusterState): void {
  if (trackers.has(cluster)) return;
  const doneAt = new Map<string, number>();
  trackers.set(cluster, doneAt);
  cluster.schema.onChange((change) => {
    if (change.kind !== "table") return;
    const now = cluster.clock.now();
    for (const view of [...cluster.schema.views(change.keyspace), ...cluster.schema.indexViews(change.keyspace)]) {
      const key = `${view.keyspace}.${view.name}`;
      if (doneAt.has(key) || view.view === undefined) continue;
      const base = cluster.schema.table(view.keyspace, view.view.baseTable);
      const modelledMs = Math.max(MIN_BUILD_MS, ((base?.sizeBytes ?? 0) / BUILD_BYTES_PER_SECOND) * 1000);
      doneAt.set(key, now + modelledMs * cluster.clock.timeScale);
    }
    for (const key of [...doneAt.keys()]) {
      const [ks = "", name = ""] = key.split(".");
      if (cluster.schema.table(ks, name) === undefined) doneAt.delete(key);
    }
  });
}

/** "STARTED" while a view builds, else "SUCCESS". */
export function viewBuildStatus(cluster: ClusterState, keyspace: string, view: string): "STARTED" | "SUCCESS" {
  const doneAt = trackers.get(cluster)?.get(`${keyspace}.${view}`);
  return doneAt !== undefined && cluster.clock.now() < doneAt ? "STARTED" : "SUCCESS";
}
