/**
 * The DATA stage (SM's `tables_worker.go`/`tablesdir_worker.go` behaviour): index the workload, then every restoring
 * host takes batches from the dispatcher, downloads each with `sync/copypaths` into the table's upload dir (versioned
 * files first, one by one, renamed) and loads it with load&stream (primary replica only), or hands a native batch to
 * Scylla's restore API (`native-batch.ts`; hosts able to use it keep finished tasks for 300 s meanwhile, `user_ttl`,
 * set back afterwards). One progress row per batch;
 * a failed or interrupted batch's row is dropped and its upload dir cleaned, so resume works at batch granularity.
 * Autocompaction is always re-enabled and the agent CPU always re-pinned, whatever happens.
 * @module
 */

import { readManifestAt } from "../backup/layout/list.ts";
import { locationRemotePath } from "../backup/layout/location.ts";
import type { FilesMeta } from "../backup/layout/manifest.ts";
import { localUploadDir, sstVersionDir } from "../backup/layout/paths.ts";
import { splitNameAndVersion } from "../backup/layout/tags.ts";
import { setAgentCpuPinned } from "../clients/agent/pin-cpu.ts";
import type { CqlSession } from "../clients/cql/session.ts";
import { scyllaUserTtl, setScyllaUserTtl } from "../clients/scylla/native-restore.ts";
import { loadSSTables, setAutoCompaction } from "../clients/scylla/restore.ts";
import { ManagerError } from "../errors.ts";
import { type DataMetrics, startDataMetrics } from "./data-metrics.ts";
import { type Batch, BatchDispatcher } from "./dispatcher.ts";
import type { RestoreEnv } from "./env.ts";
import { bucketOf, type ResolvedTarget } from "./init.ts";
import {
  progressRowKey,
  RESTORE_PROGRESS_KIND,
  type RestoreProgressRow,
  type RestoreUnit,
  rateLimitFor,
} from "./model.ts";
import { restoreNativeBatch } from "./native-batch.ts";
import { type NativeEndpoints, resolveNativeEndpoints } from "./native-support.ts";
import {
  aggregateWorkload,
  filterRestored,
  groupSSTables,
  type RemoteDirWorkload,
  resolveVersions,
  type Workload,
} from "./workload.ts";

/** The run a stage works for. */
export interface RunRef {
  taskId: string;
  runId: string;
  snapshotTag: string;
}

/** Hooks a running restore reports through (library events, logs). */
export interface DataStageHooks {
  /** A batch's progress row changed (download progress, restored, dropped). */
  onProgress?(): void;
  /** A batch was restored on `host` (called before the host asks for its next batch). */
  onBatchRestored?(host: string, batch: Batch): void;
}

interface HostInfo {
  host: string;
  dc: string;
  shards: number;
  transfers: number;
  rateLimit: number;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Completed batches of this run (cloned from the previous one on resume): remote dir → SSTable IDs. */
export async function restoredSSTables(env: RestoreEnv, run: RunRef): Promise<Map<string, Set<string>>> {
  const rows = await env.store.listProgress(RESTORE_PROGRESS_KIND, env.clusterId, run.taskId, run.runId);
  const out = new Map<string, Set<string>>();
  for (const { value } of rows) {
    const row = value as RestoreProgressRow | null;
    if (!row?.restore_completed_at) continue;
    const set = out.get(row.remote_sstable_dir) ?? new Set<string>();
    for (const id of row.sstable_id) set.add(id);
    out.set(row.remote_sstable_dir, set);
  }
  return out;
}

/** Indexes the workload: every restored table's remote dirs with their SSTables resolved for the snapshot tag. */
export async function indexWorkload(
  env: RestoreEnv,
  resolved: ResolvedTarget,
  units: readonly RestoreUnit[],
  run: RunRef,
): Promise<Workload> {
  const restoredTables = new Set(units.flatMap((u) => u.tables.map((t) => `${u.keyspace}.${t.table}`)));
  const dirs: RemoteDirWorkload[] = [];
  for (const l of resolved.locations) {
    for (const m of l.manifests) {
      const metas: FilesMeta[] = [];
      await readManifestAt(env.rclone, l.anyHost, m, (fm) => {
        if (restoredTables.has(`${fm.keyspace}.${fm.table}`)) metas.push(fm);
      });
      for (const fm of metas) {
        const remoteSstableDir = locationRemotePath(
          l.location,
          sstVersionDir(m.clusterId, m.dc, m.nodeId, fm.keyspace, fm.table, fm.version),
        );
        const files = fm.files ?? [];
        if (files.length === 0) continue;
        const listing = await env.rclone.list(l.anyHost, remoteSstableDir, { filesOnly: true });
        const versions = resolveVersions(
          files,
          listing.map((i) => ({ name: i.Name, size: i.Size })),
          run.snapshotTag,
        );
        const sstables = groupSSTables(files, versions);
        dirs.push({
          keyspace: fm.keyspace,
          table: fm.table,
          location: bucketOf(l.location),
          dc: m.dc,
          nodeId: m.nodeId,
          remoteSstableDir,
          size: sstables.reduce((sum, s) => sum + s.size, 0),
          sstables,
        });
      }
    }
  }
  return aggregateWorkload(filterRestored(dirs, await restoredSSTables(env, run)));
}

/** The target cluster's table id (dashes removed): the destination upload dir's name. */
async function tableVersions(cql: CqlSession, units: readonly RestoreUnit[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const u of units) {
    for (const t of u.tables) {
      const rs = await cql.execute(
        "SELECT id FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?",
        [u.keyspace, t.table],
        { prepare: true },
      );
      const id = rs.rows[0]?.id;
      if (id === undefined || id === null)
        throw new ManagerError(`get ${u.keyspace}.${t.table} version: table not found`);
      out.set(`${u.keyspace}.${t.table}`, String(id).replaceAll("-", ""));
    }
  }
  return out;
}

/** Runs `task` for every item with at most `limit` at once (0 = all); collects every error, throws the first. */
async function forEachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const errors: unknown[] = [];
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
      try {
        await task(item);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  const n = limit > 0 ? Math.min(limit, items.length) : items.length;
  await Promise.all(Array.from({ length: n }, worker));
  if (errors.length > 0) throw errors[0];
}

/** The DATA stage. Resolves when every SSTable of the workload is restored; throws naming what is left otherwise. */
export async function restoreData(
  env: RestoreEnv,
  input: { resolved: ResolvedTarget; units: RestoreUnit[]; run: RunRef; cql: CqlSession; signal: AbortSignal },
  hooks: DataStageHooks = {},
): Promise<void> {
  const { resolved, units, run, cql, signal } = input;
  const target = resolved.target;
  const workload = await indexWorkload(env, resolved, units, run);
  env.logger.info(`restore: ${workload.remoteDirs.length} remote dirs, ${workload.totalSize} bytes to restore`);
  const versions = await tableVersions(cql, units);
  const metrics = await startDataMetrics(env, run.snapshotTag, units, workload);
  const hostDcAccess = new Map<string, string[]>();
  for (const l of resolved.locations) {
    for (const [dc, hosts] of l.dcHosts) {
      for (const h of hosts) hostDcAccess.set(h, [...new Set([...(hostDcAccess.get(h) ?? []), dc])]);
    }
  }
  const hosts = [...hostDcAccess.keys()].sort();
  const infos = new Map<string, HostInfo>();
  for (const host of hosts) {
    const shards = await env.scylla.shardCount(host);
    const dc = resolved.hostDc.get(host) ?? "";
    infos.set(host, {
      host,
      dc,
      shards,
      transfers: target.transfers === 0 ? 2 * shards : target.transfers,
      rateLimit: rateLimitFor(target.rateLimit, dc),
    });
  }
  const native = await resolveNativeEndpoints(env, resolved, hosts, workload);
  const tables = units.flatMap((u) => u.tables.map((t) => ({ keyspace: u.keyspace, table: t.table })));
  try {
    if (!target.allowCompaction) {
      for (const host of hosts) {
        for (const t of tables) await setAutoCompaction(env.scylla, host, t.keyspace, t.table, false, { signal });
      }
    }
    if (target.unpinAgentCpu) {
      await Promise.all(hosts.map((host) => setAgentCpuPinned(env.scylla, host, false, { signal })));
    }
    const dispatcher = new BatchDispatcher(workload, {
      batchSize: target.batchSize,
      hostShards: new Map([...infos].map(([h, i]) => [h, i.shards])),
      hostDcAccess,
      nativeFor: (host, location) => native.get(host)?.has(location) ?? false,
    });
    const uploadDir = (keyspace: string, table: string) =>
      localUploadDir(keyspace, table, versions.get(`${keyspace}.${table}`) ?? "");
    await forEachLimited(hosts, target.parallel, async (host) => {
      const info = infos.get(host) as HostInfo;
      for (const t of tables) await cleanDir(env, host, uploadDir(t.keyspace, t.table));
      await withNativeTaskTtl(env, host, (native.get(host)?.size ?? 0) > 0, async () => {
        for (;;) {
          signal.throwIfAborted();
          await checkDiskSpace(env, host);
          const batch = await dispatcher.dispatch(host, signal);
          if (!batch) return;
          metrics.batchTaken(host, batch);
          env.logger.info(
            `restore: host ${host} got ${batch.native ? "native " : ""}batch of ${batch.sstables.length} sstables (${batch.size} bytes) of ${batch.keyspace}.${batch.table}`,
          );
          try {
            if (batch.native) {
              await restoreNative(env, { run, info, batch, signal, metrics, native }, hooks);
            } else {
              await restoreBatch(
                env,
                { run, info, batch, uploadDir: uploadDir(batch.keyspace, batch.table), signal, metrics },
                hooks,
              );
            }
            dispatcher.reportSuccess(batch);
            hooks.onBatchRestored?.(host, batch);
          } catch (error) {
            if (signal.aborted) throw signal.reason;
            env.logger.error(
              `restore: host ${host}: restore batch of ${batch.keyspace}.${batch.table}: ${errorText(error)}`,
            );
            dispatcher.reportFailure(host, batch);
          }
        }
      });
    });
    signal.throwIfAborted();
    dispatcher.validateAllDispatched();
  } finally {
    // Always undo the cluster tweaks, cancelled or not (no signal: these calls must run).
    for (const host of hosts) {
      for (const t of tables) {
        await setAutoCompaction(env.scylla, host, t.keyspace, t.table, true).catch((error: unknown) =>
          env.logger.error(
            `restore: enable autocompaction of ${t.keyspace}.${t.table} on ${host}: ${errorText(error)}`,
          ),
        );
      }
    }
    await Promise.all(
      hosts.map((host) =>
        setAgentCpuPinned(env.scylla, host, true).catch((error: unknown) =>
          env.logger.error(`restore: re-pin agent CPU on ${host}: ${errorText(error)}`),
        ),
      ),
    );
  }
}

/** SM keeps finished Scylla tasks for 300 s while a host restores natively, and sets the TTL back afterwards. */
async function withNativeTaskTtl(env: RestoreEnv, host: string, native: boolean, work: () => Promise<void>) {
  if (!native) return work();
  const previous = await scyllaUserTtl(env.scylla, host);
  await setScyllaUserTtl(env.scylla, host, NATIVE_TASK_TTL_SECONDS);
  try {
    await work();
  } finally {
    await setScyllaUserTtl(env.scylla, host, previous).catch((error: unknown) =>
      env.logger.error(`restore: set task_manager user_ttl back on ${host}: ${errorText(error)}`),
    );
  }
}

const NATIVE_TASK_TTL_SECONDS = 300;

/** A native batch (see `native-batch.ts`), its row stored in this run. */
async function restoreNative(
  env: RestoreEnv,
  input: {
    run: RunRef;
    info: HostInfo;
    batch: Batch;
    signal: AbortSignal;
    metrics: DataMetrics;
    native: NativeEndpoints;
  },
  hooks: DataStageHooks,
): Promise<void> {
  const { run, info, batch } = input;
  const target = input.native.get(info.host)?.get(batch.location);
  if (!target) throw new ManagerError(`no object storage endpoint of ${info.host} for ${batch.location}`);
  await restoreNativeBatch(env, {
    host: info.host,
    shards: info.shards,
    batch,
    location: target.location,
    endpoint: target.endpoint,
    signal: input.signal,
    metrics: input.metrics,
    save: (key, row) => putRow(env, run, key, row),
    onProgress: hooks.onProgress,
  });
}

/** Deletes every file of a node's upload dir (leftovers of manual or interrupted restores). */
async function cleanDir(env: RestoreEnv, host: string, dir: string): Promise<void> {
  const items = await env.rclone.list(host, dir, { filesOnly: true });
  for (const item of items) await env.rclone.deleteFile(host, `${dir}/${item.Path}`);
}

async function checkDiskSpace(env: RestoreEnv, host: string): Promise<void> {
  const du = await env.rclone.about(host, "data:");
  const percent = du.total > 0 ? Math.floor((100 * du.free) / du.total) : 100;
  if (percent < env.timings.diskFreeMinPercent) {
    throw new ManagerError(`validate free disk space: not enough disk space on ${host} (${percent}% free)`);
  }
}

async function putRow(env: RestoreEnv, run: RunRef, key: string, row: RestoreProgressRow | null): Promise<void> {
  await env.store.putProgress(RESTORE_PROGRESS_KIND, env.clusterId, run.taskId, run.runId, [{ key, value: row }]);
}

/** Downloads one batch into the upload dir and loads it; on failure the row is dropped and the dir cleaned. */
async function restoreBatch(
  env: RestoreEnv,
  input: { run: RunRef; info: HostInfo; batch: Batch; uploadDir: string; signal: AbortSignal; metrics: DataMetrics },
  hooks: DataStageHooks,
): Promise<void> {
  const { run, info, batch, uploadDir, signal, metrics } = input;
  const host = info.host;
  const iso = () => new Date(env.now()).toISOString();
  const row: RestoreProgressRow = {
    remote_sstable_dir: batch.remoteSstableDir,
    keyspace_name: batch.keyspace,
    table_name: batch.table,
    host,
    shard_cnt: info.shards,
    agent_job_id: 0,
    sstable_id: batch.sstables.map((s) => s.id),
    size: batch.size,
    download_started_at: null,
    download_completed_at: null,
    restore_started_at: null,
    restore_completed_at: null,
    downloaded: 0,
    versioned_downloaded: 0,
    restored: 0,
    failed: 0,
    error: "",
  };
  let key = "";
  let jobId = 0;
  let jobDone = false;
  try {
    const versioned = batch.sstables.filter((s) => s.versioned);
    for (const sst of versioned) {
      for (const file of sst.files) {
        const { name } = splitNameAndVersion(file);
        await env.rclone.copyFile(host, `${batch.remoteSstableDir}/${file}`, `${uploadDir}/${name}`, { signal });
      }
      row.versioned_downloaded += sst.size;
    }
    const paths = batch.sstables.filter((s) => !s.versioned).flatMap((s) => s.files);
    jobId = await env.rclone.copyPathsAsync(
      host,
      {
        srcDir: batch.remoteSstableDir,
        dstDir: uploadDir,
        paths,
        transfers: info.transfers,
        bandwidthRate: `${info.rateLimit}M`,
      },
      { signal },
    );
    row.agent_job_id = jobId;
    row.download_started_at = iso();
    row.restore_started_at = row.download_started_at;
    key = progressRowKey(row);
    metrics.downloadStarted(host, batch);
    await putRow(env, run, key, row);
    hooks.onProgress?.();
    for (;;) {
      signal.throwIfAborted();
      const job = await env.rclone.jobProgress(host, jobId, env.timings.jobPollSeconds, { signal });
      if (job.started_at && !job.started_at.startsWith("0001")) {
        row.download_started_at = job.started_at;
        row.restore_started_at = job.started_at;
      }
      row.downloaded = job.uploaded + job.skipped + row.versioned_downloaded;
      row.failed = job.failed;
      row.error = job.error;
      if (job.status === "success") {
        row.download_completed_at = job.completed_at && !job.completed_at.startsWith("0001") ? job.completed_at : iso();
      }
      metrics.downloadProgress(host, batch, row);
      if (job.status === "error") throw new ManagerError(`job error (${jobId}): ${job.error}`);
      if (job.status === "not_found") throw new ManagerError(`job not found (${jobId})`);
      if (job.status === "success") {
        jobDone = true;
        await putRow(env, run, key, row);
        hooks.onProgress?.();
        break;
      }
      await putRow(env, run, key, row);
      hooks.onProgress?.();
    }
    await env.rclone.statsDelete(host, `job/${jobId}`).catch(() => undefined);
    metrics.loadStarted(host, batch);
    await loadAndStream(env, host, batch, signal);
    row.restore_completed_at = iso();
    row.restored = batch.size;
    metrics.loaded(host, batch, row);
    await putRow(env, run, key, row);
    hooks.onProgress?.();
  } catch (error) {
    metrics.failed(host, batch);
    if (jobId !== 0 && !jobDone) await env.rclone.jobStop(host, jobId).catch(() => undefined);
    if (key !== "") await putRow(env, run, key, null).catch(() => undefined);
    await cleanDir(env, host, uploadDir).catch((e: unknown) =>
      env.logger.error(`restore: clean ${uploadDir} on ${host}: ${errorText(e)}`),
    );
    hooks.onProgress?.();
    throw error;
  }
}

/**
 * Load&stream of the upload dir: one synchronous call; "Already loading SSTables" or a timeout means the node is
 * still busy (maybe with this very load), so the same call is made again every `loadRetryMs` until it answers.
 */
async function loadAndStream(env: RestoreEnv, host: string, batch: Batch, signal: AbortSignal): Promise<void> {
  for (;;) {
    try {
      await loadSSTables(
        env.scylla,
        host,
        batch.keyspace,
        batch.table,
        { loadAndStream: true, primaryReplicaOnly: true },
        { signal },
      );
      return;
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      const text = errorText(error);
      if (!/Already loading SSTables|timeout|timed out/i.test(text)) throw error;
      env.logger.info(`restore: load&stream on ${host} busy (${text}), calling again`);
      await sleep(env.timings.loadRetryMs, signal);
    }
  }
}
