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
 * (`DIRS_PER_HOST`).
 * @module
 */
import { deleteSnapshot } from "../clients/scylla/snapshots.ts";
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

async function dedupDir(env: RunEnv, h: HostInfo, dir: SnapshotDir): Promise<void> {
  if (dir.files.length === 0) return;
  const call = { signal: env.signal };
  const remote = remoteDir(env, h, dir);
  const remoteFiles = (await env.rclone.list(h.ip, remote, { filesOnly: true, newestOnly: true }, call))
    .filter((item) => !item.Name.endsWith("manifest.json") && !VERSIONED.test(item.Name))
    .map((item) => ({ name: item.Name, size: item.Size }));
  if (remoteFiles.length === 0) return;
  const remoteBundles = bundles(remoteFiles);
  const skip: string[] = [];
  let skippedBytes = 0;
  let versioned = 0;
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
      versioned += [...local.keys()].filter((name) => other.has(name)).length;
      continue;
    }
    for (const [name, size] of local) {
      skip.push(name);
      skippedBytes += size;
    }
  }
  if (versioned > 0) {
    dir.willCreateVersioned = true;
    env.metrics?.versionedFiles(env.clusterId, h.ip, versioned);
  }
  if (skip.length === 0) return;
  await env.rclone.deletePaths(h.ip, `data:${dir.path}`, skip, call);
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
      eachDir(env.dirs.get(h.ip) ?? [], DIRS_PER_HOST, env.signal, async (dir) => {
        const row = env.progress.get(h.ip, dir.unit, dir.table);
        if (row?.completed_at) return;
        await dedupDir(env, h, dir);
      }),
    env.signal,
  );
  await env.progress.flush();
}

/** How many times a vanished job (agent restarted) is started again. */
const MAX_JOB_RESTARTS = 10;

async function uploadDir(env: RunEnv, h: HostInfo, dir: SnapshotDir): Promise<void> {
  const row = env.progress.get(h.ip, dir.unit, dir.table);
  if (!row || (row.completed_at && !row.error)) return;
  const now = () => new Date().toISOString();
  const call = { signal: env.signal };
  if (dir.files.length === 0) {
    env.progress.update(h.ip, dir.unit, dir.table, (r) => {
      r.started_at ??= now();
      r.completed_at = now();
      r.error = "";
    });
    await deleteSnapshot(env.cluster.scylla, h.ip, env.run.snapshot_tag, dir.keyspace, [dir.table], call).catch(
      () => undefined,
    );
    return;
  }
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
  await env.rclone.statsDelete(h.ip, `job/${jobId}`, call).catch(() => undefined);
  await deleteSnapshot(env.cluster.scylla, h.ip, env.run.snapshot_tag, dir.keyspace, [dir.table], call);
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

export async function uploadStage(env: RunEnv): Promise<void> {
  await inParallelWithLimits(
    env.hosts,
    env.uploadParallel,
    (h) => eachDir(env.dirs.get(h.ip) ?? [], DIRS_PER_HOST, env.signal, (dir) => uploadDir(env, h, dir)),
    env.signal,
  );
  await env.progress.flush();
}
