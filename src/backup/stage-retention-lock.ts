/**
 * RETENTION_LOCK (SM's `unlocked`/`locked` modes, GCS only): after MOVE_MANIFEST, the snapshot's schema files are
 * locked once per location, then every node (≤12 at once, as SM's MaxManifestInMemory) reads its *uploaded*
 * manifest and locks each SSTable file and Scylla manifest it names, its SM manifest last (`retention-lock.ts`).
 * Current locks are listed first (GCS lists them for free) and files already covered are skipped, so a resumed
 * stage does only what is left. Each batch is an async agent job (`operations/retention-lock`), polled like an
 * upload; an agent restart (`not_found`) re-sends the batch.
 * @module
 */
import type { JobProgress, ListItem, ListOptions } from "../clients/agent/rclone.ts";
import type { CallOptions } from "../clients/scylla/http.ts";
import { ManagerError } from "../errors.ts";
import type { Logger } from "../util/log.ts";
import {
  decodeManifest,
  type Location,
  listedLock,
  manifestPath,
  type ObjectLockState,
  locationRemotePath as remotePath,
  schemaDir,
  sstVersionDir,
} from "./layout/index.ts";
import {
  isRetentionMode,
  type LockBatch,
  type LockMode,
  lockCovers,
  planNodeLocks,
  retainUntilOf,
} from "./retention-lock.ts";
import { inParallel, onHost, type RunEnv } from "./worker.ts";

/** The agent calls the stage makes (the backup's RcloneClient has them). */
export interface RetentionLockIo {
  list(host: string, path: string, options?: ListOptions, call?: CallOptions): Promise<ListItem[]>;
  cat(host: string, path: string, call?: CallOptions): Promise<Uint8Array>;
  retentionLockAsync(
    host: string,
    dir: string,
    params: { paths: readonly string[]; mode: LockMode; retainUntil: Date; overrideUnlocked: boolean },
    call?: CallOptions,
  ): Promise<number>;
  jobProgress(host: string, jobId: number, waitSeconds: number, call?: CallOptions): Promise<JobProgress>;
  jobStop(host: string, jobId: number, call?: CallOptions): Promise<void>;
}

/** One node of the run. */
export interface LockHost {
  ip: string;
  hostId: string;
  dc: string;
  location: Location;
}

/** Inputs of locking one snapshot. */
export interface LockSnapshotInput {
  io: RetentionLockIo;
  hosts: readonly LockHost[];
  clusterId: string;
  taskId: string;
  tag: string;
  mode: LockMode;
  retentionDays: number;
  overrideUnlocked: boolean;
  waitSeconds: number;
  signal: AbortSignal;
  logger?: Logger;
  /** Objects locked by a finished batch (the `retention_locked_files` metric). */
  onLocked?: (host: string, objects: number) => void;
}

/** SM builds (and here reads) at most this many manifests at once. */
const MAX_MANIFESTS_IN_MEMORY = 12;
/** An agent restart loses its jobs: a batch is re-sent at most this many times. */
const MAX_ATTEMPTS = 10;

const LOCK_LIST: ListOptions = { filesOnly: true, showRetentionInfo: true };

/** Locks the snapshot `tag` everywhere (schema files first, then every node). */
export async function lockSnapshot(input: LockSnapshotInput): Promise<void> {
  const until = retainUntilOf(input.tag, input.retentionDays);
  const call = { signal: input.signal };
  const byLocation = new Map<string, LockHost>();
  for (const h of input.hosts) {
    const key = remotePath(h.location, "");
    if (!byLocation.has(key)) byLocation.set(key, h);
  }
  for (const h of byLocation.values()) {
    const dir = schemaDir(input.clusterId);
    const prefix = `task_${input.taskId}_tag_${input.tag}_`;
    const names = (await input.io.list(h.ip, remotePath(h.location, dir), LOCK_LIST, call))
      .filter((item) => !item.Path.includes("/") && item.Path.startsWith(prefix))
      .filter((item) => !lockCovers(listedLock(item), input.mode, until))
      .map((item) => item.Path);
    if (names.length > 0) await onHost(h.ip, () => runBatch(input, h, { dir, paths: names }, until), input.signal);
  }
  await inParallel(input.hosts, MAX_MANIFESTS_IN_MEMORY, (h) =>
    onHost(h.ip, () => lockNode(input, h, until), input.signal),
  );
}

async function lockNode(input: LockSnapshotInput, h: LockHost, until: Date): Promise<void> {
  const call = { signal: input.signal };
  const path = manifestPath(input.clusterId, h.dc, h.hostId, input.taskId, input.tag);
  const manifest = await decodeManifest(await input.io.cat(h.ip, remotePath(h.location, path), call));
  const index = manifest.index ?? [];
  const locks = new Map<string, ObjectLockState>();
  const listDir = async (dir: string) => {
    for (const item of await input.io.list(h.ip, remotePath(h.location, dir), LOCK_LIST, call)) {
      const lock = listedLock(item);
      if (lock !== undefined) locks.set(`${dir}/${item.Path}`, lock);
    }
  };
  const dirs = new Set(
    index.map((m) => sstVersionDir(input.clusterId, h.dc, h.hostId, m.keyspace, m.table, m.version)),
  );
  await inParallel([...dirs], 8, listDir);
  await listDir(path.slice(0, path.lastIndexOf("/")));
  const batches = planNodeLocks(
    { clusterId: input.clusterId, dc: h.dc, nodeId: h.hostId },
    index,
    path,
    (p) => locks.get(p),
    input.mode,
    until,
  );
  // In order: the manifest is the last batch, locked only once everything it names is.
  for (const batch of batches) await runBatch(input, h, batch, until);
}

/** One `operations/retention-lock` job, waited for; re-sent when the agent lost it. */
async function runBatch(input: LockSnapshotInput, h: LockHost, batch: LockBatch, until: Date): Promise<void> {
  const { io, signal } = input;
  const dir = remotePath(h.location, batch.dir);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    signal.throwIfAborted();
    const jobId = await io.retentionLockAsync(
      h.ip,
      dir,
      { paths: batch.paths, mode: input.mode, retainUntil: until, overrideUnlocked: input.overrideUnlocked },
      { signal },
    );
    for (;;) {
      let status: JobProgress;
      try {
        status = await io.jobProgress(h.ip, jobId, input.waitSeconds, { signal });
      } catch (error) {
        if (signal.aborted) {
          await io.jobStop(h.ip, jobId).catch(() => undefined);
          throw signal.reason;
        }
        throw error;
      }
      if (status.status === "running") continue;
      if (status.status === "success") {
        input.onLocked?.(h.ip, status.uploaded);
        return;
      }
      if (status.status === "error") {
        if (status.uploaded > 0) input.onLocked?.(h.ip, status.uploaded);
        throw new ManagerError(`retention lock of ${dir}: ${status.error || "job failed"}`);
      }
      input.logger?.info("retention lock job not found, sending the batch again", { host: h.ip, dir, attempt });
      break;
    }
  }
  throw new ManagerError(`retention lock of ${dir}: the agent lost the job ${MAX_ATTEMPTS} times`);
}

/** The RETENTION_LOCK stage of a run (nothing to do unless its mode is `unlocked` or `locked`). */
export async function retentionLockStage(env: RunEnv): Promise<void> {
  const mode = env.run.retention_lock_mode;
  if (!isRetentionMode(mode)) return;
  await lockSnapshot({
    io: env.rclone,
    hosts: env.hosts,
    clusterId: env.clusterId,
    taskId: env.taskId,
    tag: env.run.snapshot_tag,
    mode,
    retentionDays: env.run.retention_days,
    overrideUnlocked: env.run.override_retention_lock,
    waitSeconds: env.config.longPollingTimeoutSeconds,
    signal: env.signal,
    logger: env.logger,
    onLocked: (host, objects) => env.metrics?.retentionLocked(env.clusterId, host, objects),
  });
}
