/**
 * DEDUPLICATE and UPLOAD (SM's `worker_deduplicate.go`, `worker_upload.go`).
 *
 * Deduplication groups local and remote files of a table dir into bundles by SSTable ID: a UUID-ID bundle is in the
 * bucket already when the remote bundle has the same (name, size) set; an integer-ID bundle also needs a byte-equal
 * `Digest.crc32`. Deduplicated files are deleted from the snapshot dir (counted as skipped); a differing bundle will
 * be uploaded over the old one, which the agent first renames to `<name>.sm_<tag>` (a versioned file).
 *
 * Upload moves what is left with `sync/movedir` as an agent job (its ID persisted, so a restarted manager re-attaches
 * to a running job instead of starting over), then drops the table's local snapshot, one dir of a host at a time
 * (`DIRS_PER_HOST`; deduplication reads `DEDUP_DIRS_PER_HOST` dirs at once); or, with method native/auto where the
 * node and dir allow it (`native.ts`), Scylla uploads the dir itself as a task of its task manager, all such dirs of
 * a host at once.
 * @module
 */
import { scyllaBackup } from "../clients/scylla/native-backup.ts";
import { deleteSnapshot } from "../clients/scylla/snapshots.ts";
import { scyllaAbortTask, scyllaTaskStatus, scyllaWaitTask, taskTime } from "../clients/scylla/task-manager.ts";
import { ManagerError } from "../errors.ts";
import { locationRemotePath as remotePath, sstVersionDir } from "./layout/index.ts";
import { isUuidId, sstableId } from "./sstable-id.ts";
import { type HostInfo, inParallelWithLimits, type RunEnv, type SnapshotDir } from "./worker.ts";

const VERSIONED = /\.sm_[0-9]{14}UTC$/;

function remoteDir(env: RunEnv, h: HostInfo, dir: SnapshotDir): string {
  return remotePath(h.location, sstVersionDir(env.clusterId, h.dc, h.hostId, dir.keyspace, dir.table, dir.version));
}

function bundles(files: ReadonlyArray<{ name: string; size: number }>): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const f of files) {
    const id = sstableId(f.name);
    if (id === undefined) continue;
    const bundle = out.get(id) ?? new Map<string, number>();
    bundle.set(f.name, f.size);
    out.set(id, bundle);
  }
  return out;
}

function sameSet(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, size] of a) if (b.get(name) !== size) return false;
  return true;
}

/** What deduplication of one dir found: files already in the bucket, and how many files would be versioned. */
interface DedupPlan {
  skip: string[];
  skippedBytes: number;
  versioned: number;
}

/** Compares the dir's bundles with the bucket's (reads only). */
async function planDedup(env: RunEnv, h: HostInfo, dir: SnapshotDir): Promise<DedupPlan> {
  const plan: DedupPlan = { skip: [], skippedBytes: 0, versioned: 0 };
  if (dir.files.length === 0) return plan;
  const call = { signal: env.signal };
  const remote = remoteDir(env, h, dir);
  const remoteFiles = (await env.rclone.list(h.ip, remote, { filesOnly: true, newestOnly: true }, call))
    .filter((item) => !item.Name.endsWith("manifest.json") && !VERSIONED.test(item.Name))
    .map((item) => ({ name: item.Name, size: item.Size }));
  if (remoteFiles.length === 0) return plan;
  const remoteBundles = bundles(remoteFiles);
  for (const [id, local] of bundles(dir.files)) {
    const other = remoteBundles.get(id);
    if (!other) continue;
    let equal = sameSet(local, other);
    if (equal && !isUuidId(id)) {
      const digest = [...local.keys()].find((name) => name.endsWith("Digest.crc32"));
      equal =
        digest !== undefined &&
        Buffer.compare(
          await env.rclone.cat(h.ip, `data:${dir.path}/${digest}`, call),
          await env.rclone.cat(h.ip, `${remote}/${digest}`, call),
        ) === 0;
    }
    if (!equal) {
      plan.versioned += [...local.keys()].filter((name) => other.has(name)).length;
      continue;
    }
    for (const [name, size] of local) {
      plan.skip.push(name);
      plan.skippedBytes += size;
    }
  }
  return plan;
}

async function dedupDir(env: RunEnv, h: HostInfo, dir: SnapshotDir): Promise<void> {
  const { skip, skippedBytes, versioned } = await planDedup(env, h, dir);
  if (versioned > 0 && env.run.retention_lock_mode !== "disabled") {
    // A versioned file is a locked object renamed aside, which a retention lock forbids (SM fails here too).
    throw new ManagerError(
      `${dir.keyspace}.${dir.table}: snapshot contains sstables with integer based IDs whose content differs from the uploaded ones, which would create versioned files; retention lock mode ${env.run.retention_lock_mode} does not allow that`,
    );
  }
  if (versioned > 0) {
    dir.willCreateVersioned = true;
    env.metrics?.versionedFiles(env.clusterId, h.ip, versioned);
  }
  if (skip.length === 0) return;
  await env.rclone.deletePaths(h.ip, `data:${dir.path}`, skip, { signal: env.signal });
  const gone = new Set(skip);
  dir.files = dir.files.filter((f) => !gone.has(f.name));
  env.progress.update(h.ip, dir.unit, dir.table, (row) => {
    row.skipped += skippedBytes;
    row.files_skipped_count += skip.length;
  });
}

/**
 * Table dirs of one host deduplicated or uploaded at once: one, as SM. The agent's `transfers` pool is shared by all
 * jobs of a node, so more dirs would not move more files at once; measured with 4 (bench/backup.ts, 6 nodes x 512
 * MiB): no gain to a local dir or to S3, and agent peak RSS on S3 rose from 124-132 to 141-154 MiB.
 */
export const DIRS_PER_HOST = 1;

/**
 * Table dirs of one host deduplicated at once: a dir's deduplication is a listing of its remote dir (and rarely a
 * CRC read and a delete), small round trips that leave the node's transfers pool alone, so several overlap.
 */
export const DEDUP_DIRS_PER_HOST = 4;

/** Runs `fn` over `dirs`, `width` at a time; after a failure no further dir starts, and the first error is thrown. */
export async function eachDir<T>(
  dirs: readonly T[],
  width: number,
  signal: AbortSignal,
  fn: (dir: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  await Promise.all(
    Array.from({ length: Math.min(width, dirs.length) }, async () => {
      while (failure === undefined && next < dirs.length) {
        const dir = dirs[next++] as T;
        try {
          signal.throwIfAborted();
          await fn(dir);
        } catch (error) {
          failure ??= { error };
        }
      }
    }),
  );
  if (failure !== undefined) throw failure.error;
}

export async function deduplicateStage(env: RunEnv): Promise<void> {
  await inParallelWithLimits(
    env.hosts,
    env.uploadParallel,
    (h) =>
      eachDir(env.dirs.get(h.ip) ?? [], DEDUP_DIRS_PER_HOST, env.signal, async (dir) => {
        const row = env.progress.get(h.ip, dir.unit, dir.table);
        if (row?.completed_at) return;
        await dedupDir(env, h, dir);
      }),
    env.signal,
  );
  env.deduplicated = true;
  await env.progress.flush();
}

/** How many times a vanished job (agent restarted) is started again. */
const MAX_JOB_RESTARTS = 10;

/** Whether the dir is left to upload: false once uploaded, or when empty (then marked done, snapshot dropped). */
async function needsUpload(env: RunEnv, h: HostInfo, dir: SnapshotDir): Promise<boolean> {
  const row = env.progress.get(h.ip, dir.unit, dir.table);
  if (!row || (row.completed_at && !row.error)) return false;
  if (dir.files.length > 0) return true;
  const now = new Date().toISOString();
  env.progress.update(h.ip, dir.unit, dir.table, (r) => {
    r.started_at ??= now;
    r.completed_at = now;
    r.error = "";
  });
  await deleteSnapshot(env.cluster.scylla, h.ip, env.run.snapshot_tag, dir.keyspace, [dir.table], {
    signal: env.signal,
  }).catch(() => undefined);
  return false;
}

async function uploadDir(env: RunEnv, h: HostInfo, dir: SnapshotDir): Promise<void> {
  if (!(await needsUpload(env, h, dir))) return;
  const row = env.progress.get(h.ip, dir.unit, dir.table);
  if (!row) return;
  const now = () => new Date().toISOString();
  const call = { signal: env.signal };
  const skippedBefore = row.skipped;
  let jobId = row.agent_job_id;
  for (let attempt = 0; ; attempt++) {
    if (jobId > 0) {
      const status = await env.rclone.jobProgress(h.ip, jobId, 0, call);
      if (status.status === "not_found" || status.status === "error") jobId = 0;
    }
    if (jobId === 0) {
      jobId = await env.rclone.moveDirAsync(
        h.ip,
        {
          src: `data:${dir.path}`,
          dst: remoteDir(env, h, dir),
          suffix: `.sm_${env.run.snapshot_tag}`,
          transfers: h.transfers,
          bandwidthRate: `${h.rateLimit}M`,
        },
        call,
      );
      env.progress.update(h.ip, dir.unit, dir.table, (r) => {
        r.agent_job_id = jobId;
        r.started_at ??= now();
        r.error = "";
        r.failed = 0;
      });
      await env.progress.flush();
    }
    const result = await waitForJob(env, h, dir, jobId, skippedBefore);
    if (result === "success") break;
    if (result === "not_found" && attempt < MAX_JOB_RESTARTS) {
      jobId = 0;
      continue;
    }
    throw new ManagerError(`${h.ip}: upload ${dir.keyspace}.${dir.table}: ${result}`);
  }
  // Two independent clean-ups, one round trip.
  await Promise.all([
    env.rclone.statsDelete(h.ip, `job/${jobId}`, call).catch(() => undefined),
    deleteSnapshot(env.cluster.scylla, h.ip, env.run.snapshot_tag, dir.keyspace, [dir.table], call),
  ]);
}

/** Polls the job (long poll) until it ends; progress rows follow the job's stats. */
async function waitForJob(
  env: RunEnv,
  h: HostInfo,
  dir: SnapshotDir,
  jobId: number,
  skippedBefore: number,
): Promise<"success" | "not_found" | string> {
  const wait = env.config.longPollingTimeoutSeconds;
  for (;;) {
    env.signal.throwIfAborted();
    let status: Awaited<ReturnType<typeof env.rclone.jobProgress>>;
    try {
      status = await env.rclone.jobProgress(h.ip, jobId, wait, { signal: env.signal });
    } catch (error) {
      if (env.signal.aborted) {
        await env.rclone.jobStop(h.ip, jobId).catch(() => undefined);
        throw env.signal.reason;
      }
      throw error;
    }
    if (status.status === "not_found") return "not_found";
    env.progress.update(h.ip, dir.unit, dir.table, (r) => {
      r.uploaded = status.uploaded;
      // A job re-attached after a restart reports as uploaded the files it moved before, which INDEX already
      // counted as skipped (they had left the disk): never count a byte twice, and once the job is done everything
      // it did not upload was skipped.
      r.skipped =
        status.status === "success"
          ? Math.max(0, r.size - status.uploaded)
          : Math.max(0, Math.min(skippedBefore + status.skipped, r.size - status.uploaded));
      r.failed = status.failed;
      if (status.status === "success") {
        r.completed_at = status.completed_at.startsWith("0001") ? new Date().toISOString() : status.completed_at;
        r.error = "";
      } else if (status.status === "error") r.error = status.error;
    });
    env.metrics?.uploadProgress(env.clusterId, h.ip, dir, env.progress.get(h.ip, dir.unit, dir.table));
    if (status.status === "success") return "success";
    if (status.status === "error") {
      await env.progress.flush();
      return status.error || "job failed";
    }
  }
}

/**
 * Whether a dir goes through Scylla's native upload: the node has an endpoint for its location (method native or
 * auto), the dir creates no versioned files, and no agent job of an earlier run holds it (that job is re-attached
 * to instead, so one dir is never uploaded by both). A run resumed past DEDUPLICATE did not compare the dir with the
 * bucket this time, so that is done here (reads only) unless a Scylla task of the earlier run holds the dir.
 */
async function goesNative(env: RunEnv, h: HostInfo, dir: SnapshotDir): Promise<boolean> {
  const row = env.progress.get(h.ip, dir.unit, dir.table);
  // A task of an earlier run is followed whatever this run would decide (`uploadDirNative` falls back to rclone
  // when it is gone), so Scylla and an agent never upload one dir at once.
  if (row?.scylla_task_id) return true;
  if (h.nativeEndpoint === undefined || dir.willCreateVersioned) return false;
  if ((row?.agent_job_id ?? 0) > 0) return false;
  if (!env.deduplicated && (await planDedup(env, h, dir)).versioned > 0) {
    dir.willCreateVersioned = true;
    return false;
  }
  return true;
}

/**
 * One host's UPLOAD (SM's rule): rclone dirs one at a time (`DIRS_PER_HOST`), native dirs all at once, both kinds
 * side by side. `--rate-limit` and `--transfers` apply to rclone only (Scylla's own `stream_io_throughput_mb_per_sec`
 * limits its upload).
 */
async function uploadHost(env: RunEnv, h: HostInfo): Promise<void> {
  const native: SnapshotDir[] = [];
  const rclone: SnapshotDir[] = [];
  for (const dir of env.dirs.get(h.ip) ?? []) {
    env.signal.throwIfAborted();
    ((await goesNative(env, h, dir)) ? native : rclone).push(dir);
  }
  if (native.length > 0) {
    env.logger.info("backup: native upload", { host: h.ip, native: native.length, rclone: rclone.length });
  }
  const results = await Promise.allSettled([
    eachDir(native, Math.max(1, native.length), env.signal, (dir) => uploadDirNative(env, h, dir)),
    eachDir(rclone, DIRS_PER_HOST, env.signal, (dir) => uploadDir(env, h, dir)),
  ]);
  for (const r of results) if (r.status === "rejected") throw r.reason;
}

export async function uploadStage(env: RunEnv): Promise<void> {
  await inParallelWithLimits(env.hosts, env.uploadParallel, (h) => uploadHost(env, h), env.signal);
  await env.progress.flush();
}

/** Task states in which an earlier run's Scylla task is followed rather than started again (SM's rule). */
const REUSABLE_TASK_STATES = new Set(["created", "running", "done"]);

/**
 * Uploads one dir with Scylla's backup API (SM's native upload): starts a task (its id persisted as the row's
 * `scylla_task_id` before it is waited for, so a restarted manager follows the same task instead of uploading the dir
 * again), waits for it with the task manager's long poll, aborts it when the run stops or the wait fails, and drops
 * the table's local snapshot once done. Uploaded bytes are the task's `progress_completed`; skipped stays what
 * deduplication (and earlier runs) counted.
 */
async function uploadDirNative(env: RunEnv, h: HostInfo, dir: SnapshotDir): Promise<void> {
  if (!(await needsUpload(env, h, dir))) return;
  const row = env.progress.get(h.ip, dir.unit, dir.table);
  if (!row) return;
  const call = { signal: env.signal };
  const scylla = env.cluster.scylla;
  const skippedBefore = row.skipped;
  let id = row.scylla_task_id;
  if (id !== "") {
    const status = await scyllaTaskStatus(scylla, h.ip, id, call).catch((error) => {
      if (env.signal.aborted) throw error;
      return undefined;
    });
    if (status === undefined || !REUSABLE_TASK_STATES.has(status.state)) id = "";
    else env.logger.info("backup: following the native upload task of an earlier run", { host: h.ip, task: id });
  }
  const endpoint = h.nativeEndpoint;
  if (id === "" && (endpoint === undefined || dir.willCreateVersioned)) {
    // Only an earlier run's task brought the dir here, and it is gone: rclone uploads what is left.
    env.progress.update(h.ip, dir.unit, dir.table, (r) => {
      r.scylla_task_id = "";
    });
    return uploadDir(env, h, dir);
  }
  if (id === "") {
    id = await scyllaBackup(
      scylla,
      h.ip,
      {
        endpoint: endpoint as string,
        bucket: h.location.bucket,
        prefix: sstVersionDir(env.clusterId, h.dc, h.hostId, dir.keyspace, dir.table, dir.version).replace(/^\/+/, ""),
        keyspace: dir.keyspace,
        table: dir.table,
        snapshot: env.run.snapshot_tag,
      },
      call,
    );
    const taskId = id;
    env.progress.update(h.ip, dir.unit, dir.table, (r) => {
      r.scylla_task_id = taskId;
      r.agent_job_id = 0;
      r.started_at ??= new Date().toISOString();
      r.error = "";
      r.failed = 0;
    });
    await env.progress.flush();
    env.logger.info("backup: native upload started", { host: h.ip, table: `${dir.keyspace}.${dir.table}`, task: id });
  }
  try {
    for (;;) {
      env.signal.throwIfAborted();
      const status = await scyllaWaitTask(scylla, h.ip, id, env.config.longPollingTimeoutSeconds, call);
      env.progress.update(h.ip, dir.unit, dir.table, (r) => {
        r.uploaded = Math.min(status.progress_completed, r.size);
        // A task followed after a restart counts the files it moved before, which INDEX already counted as skipped
        // (they had left the disk): never count a byte twice; once done, what it did not upload was skipped.
        r.skipped =
          status.state === "done"
            ? Math.max(0, r.size - r.uploaded)
            : Math.max(0, Math.min(skippedBefore, r.size - r.uploaded));
        r.started_at = taskTime(status.start_time) ?? r.started_at;
        if (status.state === "done") {
          r.completed_at = taskTime(status.end_time) ?? new Date().toISOString();
          r.error = "";
        } else if (status.state === "failed") {
          r.error = status.error || "task failed";
        }
      });
      env.metrics?.uploadProgress(env.clusterId, h.ip, dir, env.progress.get(h.ip, dir.unit, dir.table));
      if (status.state === "done") break;
      if (status.state === "failed") {
        await env.progress.flush();
        throw new ManagerError(`${h.ip}: upload ${dir.keyspace}.${dir.table}: task error (${id}): ${status.error}`);
      }
    }
  } catch (error) {
    // Stopped or failed: the task must not go on uploading on its own (a later run starts or follows its own).
    await scyllaAbortTask(scylla, h.ip, id).catch(() => undefined);
    throw error;
  }
  await env.progress.flush();
  await deleteSnapshot(scylla, h.ip, env.run.snapshot_tag, dir.keyspace, [dir.table], call);
}
