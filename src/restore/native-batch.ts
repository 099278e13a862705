/**
 * One native batch (SM's `scyllaRestore`): Scylla's restore API downloads the batch's SSTables (listed by their TOC
 * names) straight from object storage and loads them (scope all, primary replica only). Its progress row carries the
 * Scylla task id; the task is followed with the task manager's long poll and aborted when the batch fails or the run
 * is cancelled. A batch whose task turns out done is recorded as restored even then, so it is never loaded twice.
 * @module
 */
import type { Location } from "../backup/layout/location.ts";
import { scyllaRestore } from "../clients/scylla/native-restore.ts";
import {
  type NativeTaskStatus,
  scyllaAbortTask,
  scyllaTaskStatus,
  scyllaWaitTask,
  taskTime,
} from "../clients/scylla/task-manager.ts";
import { ManagerError } from "../errors.ts";
import type { DataMetrics } from "./data-metrics.ts";
import type { Batch } from "./dispatcher.ts";
import type { RestoreEnv } from "./env.ts";
import { progressRowKey, type RestoreProgressRow } from "./model.ts";
import { nativePrefix } from "./native.ts";

/** What a native batch needs besides the environment. */
export interface NativeBatchInput {
  host: string;
  shards: number;
  batch: Batch;
  /** The bucket location of the batch and the node's object storage endpoint for it. */
  location: Location;
  endpoint: string;
  signal: AbortSignal;
  metrics: DataMetrics;
  /** Stores the batch's row under `key` (null drops it). */
  save(key: string, row: RestoreProgressRow | null): Promise<void>;
  onProgress?(): void;
}

/** Applies a task status to the row: times, error, and the restored bytes once done. */
function applyStatus(row: RestoreProgressRow, status: NativeTaskStatus, size: number, now: () => string): void {
  row.restore_started_at = taskTime(status.start_time) ?? row.restore_started_at;
  row.error = status.error;
  if (status.state === "done") {
    row.restore_completed_at = taskTime(status.end_time) ?? now();
    row.restored = size;
  }
}

/** Restores one batch with Scylla's restore API; resolves once the task is done, throws when it failed. */
export async function restoreNativeBatch(env: RestoreEnv, input: NativeBatchInput): Promise<void> {
  const { host, batch, signal, metrics } = input;
  const iso = () => new Date(env.now()).toISOString();
  const id = await scyllaRestore(
    env.scylla,
    host,
    {
      endpoint: input.endpoint,
      bucket: input.location.bucket,
      prefix: nativePrefix(batch.remoteSstableDir, input.location),
      keyspace: batch.keyspace,
      table: batch.table,
      tocs: batch.sstables.map((s) => s.toc),
    },
    { signal },
  );
  const row: RestoreProgressRow = {
    remote_sstable_dir: batch.remoteSstableDir,
    keyspace_name: batch.keyspace,
    table_name: batch.table,
    host,
    shard_cnt: input.shards,
    agent_job_id: 0,
    scylla_task_id: id,
    sstable_id: batch.sstables.map((s) => s.id),
    size: batch.size,
    download_started_at: null,
    download_completed_at: null,
    restore_started_at: iso(),
    restore_completed_at: null,
    downloaded: 0,
    versioned_downloaded: 0,
    restored: 0,
    failed: 0,
    error: "",
  };
  const key = progressRowKey(row);
  try {
    await input.save(key, row);
    // Logged once the row names the task, so a resumed run will find it (see leftovers.ts).
    env.logger.info(`restore: host ${host} restores ${batch.sstables.length} sstables natively (task ${id})`);
    input.onProgress?.();
    metrics.nativeStarted(host, batch);
    for (;;) {
      signal.throwIfAborted();
      const status = await scyllaWaitTask(env.scylla, host, id, env.timings.jobPollSeconds, { signal });
      applyStatus(row, status, batch.size, iso);
      if (status.state === "failed") throw new ManagerError(`task error (${id}): ${status.error}`);
      await input.save(key, row);
      input.onProgress?.();
      if (status.state === "done") break;
    }
    metrics.nativeRestored(host, batch, row);
  } catch (error) {
    // The task may have finished meanwhile (e.g. cancelled right after the load): then the batch is restored.
    const last = await scyllaTaskStatus(env.scylla, host, id).catch(() => undefined);
    if (last?.state === "done") {
      applyStatus(row, last, batch.size, iso);
      await input.save(key, row).catch(() => undefined);
      metrics.nativeRestored(host, batch, row);
    } else {
      await scyllaAbortTask(env.scylla, host, id).catch(() => undefined);
      await input.save(key, null).catch(() => undefined);
      metrics.failed(host, batch);
    }
    input.onProgress?.();
    throw error;
  }
}
