/**
 * The data of a 1-1 restore (SM's `worker_tables.go`): on every target node at once, a download worker copies each
 * table's files from the node's own source dir into `<table>-<id>/upload` (`sync/copypaths`, 2 transfers per shard,
 * no rate limit, job polled) and hands the table through a bounded queue (100) to a refresh worker that loads it with
 * plain refresh (no load&stream: the node owns exactly the source node's tokens). One progress row per host and
 * table. A failure on a host stops that host's workers; the other hosts finish their work and the run then fails.
 * @module
 */
import { formatLocation, locationRemotePath } from "../../backup/layout/location.ts";
import type { FilesMeta } from "../../backup/layout/manifest.ts";
import { localUploadDir, sstVersionDir } from "../../backup/layout/paths.ts";
import { awaitLoadSSTables } from "../../clients/scylla/restore.ts";
import { ManagerError } from "../../errors.ts";
import type { One2OneEnv } from "./env.ts";
import { ONE2ONE_TABLE_PROGRESS_KIND, type TableProgressRow, tableRowKey } from "./model.ts";
import type { HostWorkload } from "./prepare.ts";

/** The run rows belong to. */
export interface RunIds {
  taskId: string;
  runId: string;
  snapshotTag: string;
}

/** What the data part reports. */
export interface TablesHooks {
  /** A progress row changed. */
  onProgress?(): void;
}

const QUEUE_LIMIT = 100;
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));
const validTime = (t: string | undefined) => (t && !t.startsWith("0001") ? t : undefined);

/** The empty progress row of a table on a host (what a run starts with). */
export function initialRow(host: string, t: FilesMeta): TableProgressRow {
  return {
    started_at: null,
    completed_at: null,
    keyspace_name: t.keyspace,
    table_name: t.table,
    host,
    error: "",
    table_size: t.size,
    downloaded: 0,
    versioned_downloaded: 0,
    is_refreshed: false,
  };
}

export async function putTableRows(env: One2OneEnv, run: RunIds, rows: readonly TableProgressRow[]): Promise<void> {
  if (rows.length === 0) return;
  await env.store.putProgress(
    ONE2ONE_TABLE_PROGRESS_KIND,
    env.clusterId,
    run.taskId,
    run.runId,
    rows.map((r) => ({ key: tableRowKey(r), value: r })),
  );
}

/** A one-slot change signal: `wait()` resolves at the next `notify()`, rejects when `signal` aborts. */
class Changes {
  #waiters: Array<() => void> = [];
  notify(): void {
    const ws = this.#waiters;
    this.#waiters = [];
    for (const w of ws) w();
  }
  wait(signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      this.#waiters.push(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      });
    });
  }
}

/** Restores every host's tables (all hosts in parallel); throws the first host's error after all hosts stopped. */
export async function restoreTables(
  env: One2OneEnv,
  run: RunIds,
  workload: readonly HostWorkload[],
  skip: ReadonlySet<string>,
  signal: AbortSignal,
  hooks: TablesHooks = {},
): Promise<void> {
  const results = await Promise.allSettled(workload.map((w) => restoreHost(env, run, w, skip, signal, hooks)));
  signal.throwIfAborted();
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
}

/** `host|ks.table`: the key of a (host, table) pair already refreshed by an earlier run. */
export const pairKey = (host: string, keyspace: string, table: string) => `${host}|${keyspace}.${table}`;

async function restoreHost(
  env: One2OneEnv,
  run: RunIds,
  w: HostWorkload,
  skip: ReadonlySet<string>,
  runSignal: AbortSignal,
  hooks: TablesHooks,
): Promise<void> {
  const host = w.host.host;
  const ctl = new AbortController();
  const onAbort = () => ctl.abort(runSignal.reason);
  runSignal.addEventListener("abort", onAbort, { once: true });
  const signal = ctl.signal;
  const queue: Array<{ table: FilesMeta; row: TableProgressRow }> = [];
  const changes = new Changes();
  let downloadsOver = false;
  const location = formatLocation(w.manifest.location);
  const state = (worker: "download" | "refresh", s: "idle" | "downloading" | "loading" | "done" | "error") =>
    env.metrics?.state({ cluster: env.clusterId, location, snapshot_tag: run.snapshotTag, host, worker }, s);
  const download = async () => {
    try {
      for (const table of w.tables) {
        if (skip.has(pairKey(host, table.keyspace, table.table))) continue;
        while (queue.length >= QUEUE_LIMIT) await changes.wait(signal);
        signal.throwIfAborted();
        const row = await downloadTable(env, run, w, table, signal, hooks, () => state("download", "downloading"));
        state("download", "idle");
        queue.push({ table, row });
        changes.notify();
      }
      state("download", "done");
    } catch (error) {
      state("download", "error");
      throw error;
    } finally {
      downloadsOver = true;
      changes.notify();
    }
  };
  const refresh = async () => {
    try {
      for (;;) {
        const item = queue.shift();
        if (item === undefined) {
          if (downloadsOver) break;
          await changes.wait(signal);
          continue;
        }
        changes.notify();
        state("refresh", "loading");
        await refreshTable(env, run, w, item.table, item.row, signal, hooks);
        state("refresh", "idle");
      }
      state("refresh", "done");
    } catch (error) {
      state("refresh", "error");
      throw error;
    }
  };
  const guard = (p: Promise<void>) =>
    p.catch((error: unknown) => {
      ctl.abort(error);
      throw error;
    });
  try {
    const results = await Promise.allSettled([guard(download()), guard(refresh())]);
    runSignal.throwIfAborted();
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) {
      const reason = failed.reason;
      throw reason instanceof ManagerError ? reason : new ManagerError(`host ${host}: ${errorText(reason)}`);
    }
  } finally {
    runSignal.removeEventListener("abort", onAbort);
  }
}

async function downloadTable(
  env: One2OneEnv,
  run: RunIds,
  w: HostWorkload,
  table: FilesMeta,
  signal: AbortSignal,
  hooks: TablesHooks,
  onStarted: () => void,
): Promise<TableProgressRow> {
  const host = w.host.host;
  const iso = () => new Date(env.now()).toISOString();
  const row: TableProgressRow = { ...initialRow(host, table), started_at: iso() };
  const put = async () => {
    await putTableRows(env, run, [row]);
    hooks.onProgress?.();
  };
  const remaining = (bytes: number) =>
    env.metrics?.remaining(
      {
        cluster: env.clusterId,
        snapshot_tag: run.snapshotTag,
        location: formatLocation(w.manifest.location),
        dc: w.host.dc,
        node: host,
        keyspace: table.keyspace,
        table: table.table,
      },
      bytes,
    );
  await put();
  const m = w.manifest;
  const srcDir = locationRemotePath(
    m.location,
    sstVersionDir(m.clusterId, m.dc, m.nodeId, table.keyspace, table.table, table.version),
  );
  const dstDir = localUploadDir(table.keyspace, table.table, table.version);
  // A leftover of an interrupted run or a manual attempt must not be loaded with this table's files.
  for (const item of await env.rclone.list(host, dstDir, { filesOnly: true })) {
    await env.rclone.deleteFile(host, `${dstDir}/${item.Path}`, { signal });
  }
  let jobId = 0;
  let finished = false;
  try {
    jobId = await env.rclone.copyPathsAsync(
      host,
      { srcDir, dstDir, paths: table.files ?? [], transfers: 2 * w.host.shards, bandwidthRate: "0M" },
      { signal },
    );
    onStarted();
    for (;;) {
      signal.throwIfAborted();
      const job = await env.rclone.jobProgress(host, jobId, env.timings.jobPollSeconds, { signal });
      row.started_at = validTime(job.started_at) ?? row.started_at;
      row.error = job.error;
      row.downloaded = job.uploaded + job.skipped;
      remaining(row.table_size - row.downloaded);
      if (job.status === "error") {
        row.completed_at = iso();
        await put();
        throw new ManagerError(
          `create download job: ${table.keyspace}.${table.table}: job error (${jobId}): ${job.error}: host ${host}`,
        );
      }
      if (job.status === "not_found")
        throw new ManagerError(`wait job: ${table.keyspace}.${table.table}: job not found`);
      await put();
      if (job.status === "success") {
        finished = true;
        return row;
      }
    }
  } finally {
    if (jobId !== 0) {
      if (!finished) await env.rclone.jobStop(host, jobId).catch(() => undefined);
      await env.rclone.statsDelete(host, `job/${jobId}`).catch(() => undefined);
    }
  }
}

async function refreshTable(
  env: One2OneEnv,
  run: RunIds,
  w: HostWorkload,
  table: FilesMeta,
  row: TableProgressRow,
  signal: AbortSignal,
  hooks: TablesHooks,
): Promise<void> {
  const host = w.host.host;
  const skip = w.host.skipCleanupAndReshape;
  let error: unknown;
  try {
    await awaitLoadSSTables(
      env.scylla,
      host,
      table.keyspace,
      table.table,
      { loadAndStream: false, primaryReplicaOnly: false, skipCleanup: skip, skipReshape: skip },
      {
        retryMs: env.timings.loadRetryMs,
        signal,
        onBusy: (text) => env.logger.info(`1-1-restore: refresh on ${host} busy (${text}), calling again`),
      },
    );
  } catch (e) {
    error = e;
  }
  row.completed_at = new Date(env.now()).toISOString();
  row.is_refreshed = error === undefined;
  if (error !== undefined && !signal.aborted) row.error = errorText(error);
  await putTableRows(env, run, [row]).catch(() => undefined);
  hooks.onProgress?.();
  if (error !== undefined) {
    if (signal.aborted) throw signal.reason;
    throw new ManagerError(`refresh node: ${table.keyspace}.${table.table}: host ${host}: ${errorText(error)}`);
  }
  env.logger.info(`1-1-restore: refreshed ${table.keyspace}.${table.table} on ${host} (${table.size} bytes)`);
}
