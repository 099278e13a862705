/**
 * Restore gauges with SM's names and labels (`pkg/metrics/restore.go`), all `scylla_manager_restore_*`:
 * `batch_size{cluster,host}` (bytes of batches taken, cumulative), `remaining_bytes{cluster,snapshot_tag,location,dc,
 * node,keyspace,table}` (per remote SSTable dir; `cluster` is the backup's cluster, as SM labels it),
 * `state{cluster,location,snapshot_tag,host}` (0 idle, 1 download, 2 load&stream, 3 error, 4 native restore),
 * `downloaded_bytes` / `download_duration{cluster,location,host}` (ms), `streamed_bytes` / `stream_duration{cluster,
 * host}` (ms), `restored_bytes` / `restore_duration{cluster,host}` (native restore batches only),
 * `progress{cluster,snapshot_tag}` (0-100) and `view_build_status{cluster,keyspace,view}` (0 unknown, 1 started,
 * 2 success, 3 error). A fresh (not resumed) run sets every series of its cluster to -1 first, as SM does.
 * @module
 */
import type { Gauge, Registry } from "prom-client";
import { registryGauge, resetClusterSeries } from "../metrics/gauge.ts";

/** `state` values (SM's `RestoreState`). */
export const RESTORE_STATE = { idle: 0, download: 1, load: 2, error: 3, native: 4 } as const;
/** `view_build_status` values (SM's `ViewBuildStatus`). */
export const VIEW_BUILD_STATUS: Readonly<Record<string, number>> = { UNKNOWN: 0, STARTED: 1, SUCCESS: 2, ERROR: 3 };

const gauge = (registry: Registry, name: string, help: string, labelNames: readonly string[]): Gauge =>
  registryGauge(registry, `scylla_manager_restore_${name}`, help, labelNames);

/** Labels of one remote SSTable dir's `remaining_bytes`. */
export interface RemainingLabels {
  /** The backup's cluster ID. */
  cluster: string;
  snapshot_tag: string;
  location: string;
  dc: string;
  node: string;
  keyspace: string;
  table: string;
}

/** Restore gauges on a prom-client registry (idempotent per registry). */
export class RestoreMetrics {
  readonly #batchSize: Gauge;
  readonly #remaining: Gauge;
  readonly #state: Gauge;
  readonly #downloaded: Gauge;
  readonly #downloadMs: Gauge;
  readonly #streamed: Gauge;
  readonly #streamMs: Gauge;
  readonly #restored: Gauge;
  readonly #restoreMs: Gauge;
  readonly #progress: Gauge;
  readonly #views: Gauge;
  readonly #all: Gauge[];

  constructor(registry: Registry) {
    const host = ["cluster", "host"];
    this.#batchSize = gauge(registry, "batch_size", "Cumulative size of the batches taken by the host", host);
    this.#remaining = gauge(registry, "remaining_bytes", "Remaining bytes of backup to be restored yet", [
      "cluster",
      "snapshot_tag",
      "location",
      "dc",
      "node",
      "keyspace",
      "table",
    ]);
    this.#state = gauge(registry, "state", "Current state of the host in the restore (idle/download/load/error)", [
      "cluster",
      "location",
      "snapshot_tag",
      "host",
    ]);
    this.#restored = gauge(registry, "restored_bytes", "Restored bytes (native restore)", host);
    this.#restoreMs = gauge(registry, "restore_duration", "Restore duration in ms (native restore)", host);
    const located = ["cluster", "location", "host"];
    this.#downloaded = gauge(registry, "downloaded_bytes", "Downloaded bytes", located);
    this.#downloadMs = gauge(registry, "download_duration", "Download duration in ms", located);
    this.#streamed = gauge(registry, "streamed_bytes", "Load&Streamed bytes", host);
    this.#streamMs = gauge(registry, "stream_duration", "Load&Stream duration in ms", host);
    this.#progress = gauge(registry, "progress", "Current progress of the restore (0-100)", [
      "cluster",
      "snapshot_tag",
    ]);
    this.#views = gauge(registry, "view_build_status", "Build status of a recreated view", [
      "cluster",
      "keyspace",
      "view",
    ]);
    this.#all = [
      this.#batchSize,
      this.#remaining,
      this.#state,
      this.#restored,
      this.#restoreMs,
      this.#downloaded,
      this.#downloadMs,
      this.#streamed,
      this.#streamMs,
      this.#progress,
      this.#views,
    ];
  }

  /** Sets every series labelled with `cluster` to -1 (SM's `ResetClusterMetrics`). */
  async resetCluster(cluster: string): Promise<void> {
    await resetClusterSeries(this.#all, cluster);
  }

  batchTaken(cluster: string, host: string, bytes: number): void {
    this.#batchSize.inc({ cluster, host }, bytes);
  }

  setRemaining(labels: RemainingLabels, bytes: number): void {
    this.#remaining.set({ ...labels }, bytes);
  }

  decreaseRemaining(labels: RemainingLabels, bytes: number): void {
    this.#remaining.dec({ ...labels }, bytes);
  }

  setState(cluster: string, location: string, snapshotTag: string, host: string, state: number): void {
    this.#state.set({ cluster, location, snapshot_tag: snapshotTag, host }, state);
  }

  downloaded(cluster: string, location: string, host: string, bytes: number, ms: number): void {
    if (bytes !== 0) this.#downloaded.inc({ cluster, location, host }, bytes);
    if (ms !== 0) this.#downloadMs.inc({ cluster, location, host }, ms);
  }

  streamed(cluster: string, host: string, bytes: number, ms: number): void {
    this.#streamed.inc({ cluster, host }, bytes);
    this.#streamMs.inc({ cluster, host }, ms);
  }

  /** A native batch restored `bytes` in `ms`. */
  restored(cluster: string, host: string, bytes: number, ms: number): void {
    this.#restored.inc({ cluster, host }, bytes);
    this.#restoreMs.inc({ cluster, host }, ms);
  }

  setProgress(cluster: string, snapshotTag: string, percent: number): void {
    this.#progress.set({ cluster, snapshot_tag: snapshotTag }, percent);
  }

  setViewBuildStatus(cluster: string, keyspace: string, view: string, status: string): void {
    this.#views.set({ cluster, keyspace, view }, VIEW_BUILD_STATUS[status] ?? VIEW_BUILD_STATUS.ERROR ?? 3);
  }
}
