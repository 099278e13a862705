/**
 * What the DATA stage reports into the `scylla_manager_restore_*` gauges, at the points SM's tables worker does:
 * the workload at the start (remaining bytes per remote dir, progress), each batch taken, its download progress,
 * load&stream start and end, and failures. A no-op without gauges (the library's default).
 * @module
 */
import type { Batch } from "./dispatcher.ts";
import type { RestoreEnv } from "./env.ts";
import { RESTORE_STATE, type RemainingLabels } from "./metrics.ts";
import type { RestoreProgressRow, RestoreUnit } from "./model.ts";
import type { Workload } from "./workload.ts";

/** The DATA stage's metric events. */
export interface DataMetrics {
  batchTaken(host: string, batch: Batch): void;
  downloadStarted(host: string, batch: Batch): void;
  /** After each `job/progress` poll; `row` holds the updated counters and times. */
  downloadProgress(host: string, batch: Batch, row: RestoreProgressRow): void;
  loadStarted(host: string, batch: Batch): void;
  loaded(host: string, batch: Batch, row: RestoreProgressRow): void;
  failed(host: string, batch: Batch): void;
  nativeStarted(host: string, batch: Batch): void;
  /** A native batch ended successfully; `row` holds its restore times. */
  nativeRestored(host: string, batch: Batch, row: RestoreProgressRow): void;
}

const ms = (from: string | null, to: string | null, now: number) =>
  from ? Math.max(0, (to ? Date.parse(to) : now) - Date.parse(from)) : 0;

/** The backup's cluster ID of a remote SSTable dir (`.../backup/sst/cluster/<id>/...`). */
function sourceCluster(remoteSstableDir: string): string {
  return /\/backup\/sst\/cluster\/([^/]+)\//.exec(remoteSstableDir)?.[1] ?? "";
}

function remainingLabels(
  tag: string,
  d: Pick<Batch, "remoteSstableDir" | "location" | "dc" | "nodeId" | "keyspace" | "table">,
): RemainingLabels {
  return {
    cluster: sourceCluster(d.remoteSstableDir),
    snapshot_tag: tag,
    location: d.location,
    dc: d.dc,
    node: d.nodeId,
    keyspace: d.keyspace,
    table: d.table,
  };
}

/** Resets the cluster's gauges and reports the workload; returns the stage's reporter. */
export async function startDataMetrics(
  env: RestoreEnv,
  snapshotTag: string,
  units: readonly RestoreUnit[],
  workload: Workload,
): Promise<DataMetrics> {
  const m = env.restoreMetrics;
  const cluster = env.clusterId;
  const total = units.reduce((sum, u) => sum + u.size, 0);
  let restored = total - workload.totalSize;
  const percent = () => (total > 0 ? (restored / total) * 100 : 100);
  if (m) {
    await m.resetCluster(cluster);
    for (const dir of workload.remoteDirs) m.setRemaining(remainingLabels(snapshotTag, dir), dir.size);
    m.setProgress(cluster, snapshotTag, percent());
  }
  // Per batch: what was already counted of its download (bytes, ms).
  const counted = new Map<Batch, { bytes: number; ms: number }>();
  const state = (host: string, batch: Batch, s: number) => m?.setState(cluster, batch.location, snapshotTag, host, s);
  return {
    batchTaken: (host, batch) => m?.batchTaken(cluster, host, batch.size),
    downloadStarted: (host, batch) => state(host, batch, RESTORE_STATE.download),
    downloadProgress(host, batch, row) {
      if (!m) return;
      const before = counted.get(batch) ?? { bytes: 0, ms: 0 };
      const now = { bytes: row.downloaded, ms: ms(row.download_started_at, row.download_completed_at, env.now()) };
      m.downloaded(cluster, batch.location, host, now.bytes - before.bytes, now.ms - before.ms);
      counted.set(batch, now);
    },
    loadStarted: (host, batch) => state(host, batch, RESTORE_STATE.load),
    loaded(host, batch, row) {
      counted.delete(batch);
      if (!m) return;
      state(host, batch, RESTORE_STATE.idle);
      m.streamed(cluster, host, batch.size, ms(row.download_completed_at, row.restore_completed_at, env.now()));
      m.decreaseRemaining(remainingLabels(snapshotTag, batch), batch.size);
      restored += batch.size;
      m.setProgress(cluster, snapshotTag, percent());
    },
    failed(host, batch) {
      counted.delete(batch);
      state(host, batch, RESTORE_STATE.error);
    },
    nativeStarted: (host, batch) => state(host, batch, RESTORE_STATE.native),
    nativeRestored(host, batch, row) {
      if (!m) return;
      state(host, batch, RESTORE_STATE.idle);
      m.restored(cluster, host, batch.size, ms(row.restore_started_at, row.restore_completed_at, env.now()));
      m.decreaseRemaining(remainingLabels(snapshotTag, batch), batch.size);
      restored += batch.size;
      m.setProgress(cluster, snapshotTag, percent());
    },
  };
}
