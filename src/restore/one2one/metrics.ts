/**
 * 1-1 restore gauges with SM's names (`pkg/metrics/one2onerestore.go`):
 * `scylla_manager_one2onerestore_download_remaining_bytes{cluster,snapshot_tag,location,dc,node,keyspace,table}`,
 * `..._state{cluster,location,snapshot_tag,host,worker}` (0 idle, 1 downloading, 2 loading, 3 done, 4 error),
 * `..._view_build_status{cluster,keyspace,view}` (0 unknown, 1 started, 2 success) and
 * `..._progress{cluster,snapshot_tag}` (0-100). A new run sets its cluster's old samples to -1, as SM.
 * @module
 */
import { Gauge, type Registry } from "prom-client";
import type { RemainingLabels } from "../metrics.ts";

function gauge(registry: Registry, name: string, help: string, labelNames: readonly string[]): Gauge {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Gauge) return existing;
  return new Gauge({ name, help, labelNames: [...labelNames], registers: [registry] });
}

/** Worker states of the `state` gauge. */
export const WORKER_STATE = { idle: 0, downloading: 1, loading: 2, done: 3, error: 4 } as const;
const BUILD_STATUS: Record<string, number> = { UNKNOWN: 0, STARTED: 1, SUCCESS: 2 };

/** The gauges on a prom-client registry (idempotent per registry). */
export class One2OneMetrics {
  readonly #remaining: Gauge;
  readonly #state: Gauge;
  readonly #viewBuild: Gauge;
  readonly #progress: Gauge;

  constructor(registry: Registry) {
    const p = "scylla_manager_one2onerestore_";
    this.#remaining = gauge(registry, `${p}download_remaining_bytes`, "Remaining bytes of backup to be restored yet.", [
      "cluster",
      "snapshot_tag",
      "location",
      "dc",
      "node",
      "keyspace",
      "table",
    ]);
    this.#state = gauge(
      registry,
      `${p}state`,
      "Defines current state of the 1-1-restore process (downloading/loading/error/done).",
      ["cluster", "location", "snapshot_tag", "host", "worker"],
    );
    this.#viewBuild = gauge(registry, `${p}view_build_status`, "Defines build status of recreated view.", [
      "cluster",
      "keyspace",
      "view",
    ]);
    this.#progress = gauge(
      registry,
      `${p}progress`,
      "Defines current progress of the 1-1-restore process in percents from 0 to 100%",
      ["cluster", "snapshot_tag"],
    );
  }

  /** Sets every sample of `cluster` to -1 (SM's `ResetClusterMetrics`). */
  async resetCluster(cluster: string): Promise<void> {
    for (const g of [this.#remaining, this.#state, this.#viewBuild, this.#progress]) {
      for (const sample of (await g.get()).values) {
        if (sample.labels.cluster === cluster) g.set(sample.labels as Record<string, string>, -1);
      }
    }
  }

  remaining(labels: RemainingLabels, bytes: number): void {
    this.#remaining.set({ ...labels }, bytes);
  }

  state(
    labels: { cluster: string; location: string; snapshot_tag: string; host: string; worker: "download" | "refresh" },
    state: keyof typeof WORKER_STATE,
  ): void {
    this.#state.set(labels, WORKER_STATE[state]);
  }

  viewBuildStatus(cluster: string, keyspace: string, view: string, status: string): void {
    this.#viewBuild.set({ cluster, keyspace, view }, BUILD_STATUS[status] ?? 0);
  }

  progress(cluster: string, snapshotTag: string, percent: number): void {
    this.#progress.set({ cluster, snapshot_tag: snapshotTag }, percent);
  }
}
