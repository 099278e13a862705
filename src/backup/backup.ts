/**
 * The `Backup` library class: plan a backup of a connected `Cluster` and run it in-process (no daemon), with
 * progress events carrying an ETA.
 * @module
 */
import { createHash } from "node:crypto";
import { EventEmitter } from "node:events";
import type { Cluster } from "../cluster/cluster.ts";
import type { Store } from "../store/store.ts";
import { EtaTracker } from "../util/eta.ts";
import type { Logger } from "../util/log.ts";
import { throttledPublisher } from "../util/throttle.ts";
import { newTimeUuid, newUuid } from "../util/uuid.ts";
import type { BackupClusterAccess, BackupConfig } from "./access.ts";
import { runBackup } from "./engine.ts";
import type { BackupRun, RunProgress } from "./model.ts";
import { aggregateProgress, type BackupProgressJson } from "./progress.ts";
import type { DeleteSnapshotsResult } from "./read/delete.ts";
import type { BackupReadOptions } from "./read/library.ts";
import type { BackupListItem } from "./read/list-backups.ts";
import type { BackupFilesInfo } from "./read/list-files.ts";
import { type BackupTarget, getBackupTarget } from "./target.ts";
import type { ValidateHostProgress } from "./validate/model.ts";
import type { ValidateResult } from "./validate/run.ts";

/** Options of {@link Backup.plan}; the fields are SM's task properties in camelCase. */
export interface BackupOptions {
  /** `[dc:]provider:bucket` entries. */
  location: string[];
  keyspace?: string[];
  dc?: string[];
  retention?: number;
  retentionDays?: number;
  /**
   * `disabled` (default), or `unlocked`/`locked` (GCS only, with `retentionDays` and no count retention): each
   * snapshot's objects get a GCS object retention until the tag time + `retentionDays`.
   */
  retentionLockMode?: "disabled" | "unlocked" | "locked";
  /** Lets a run shorten earlier `unlocked` retentions (SM's `override_retention_lock`). */
  overrideRetentionLock?: boolean;
  /** `[dc:]MiB/s`, default 100; 0 = unlimited. */
  rateLimit?: string[];
  transfers?: number;
  snapshotParallel?: string[];
  uploadParallel?: string[];
  skipSchema?: boolean;
  /**
   * `rclone` (default, the agents upload), `native` (Scylla uploads; fails unless every node can), `auto` (native
   * where the node and the snapshot dir allow it, else rclone).
   */
  method?: "rclone" | "native" | "auto";
  purgeOnly?: boolean;
  /** Resume the last unfinished run of `taskId` (needs `store`). Default true. */
  continue?: boolean;
  /** Task ID the backup belongs to (bucket paths and retention are per task). Default: a new UUID per plan. */
  taskId?: string;
  /** Cluster ID in the bucket layout. Default: derived from the nodes' host IDs (stable for one cluster). */
  clusterId?: string;
  /** Cluster name written into the manifests. Default: the nodes' `cluster_name` (Scylla's REST API). */
  clusterName?: string;
  /** Persist run and progress (then a later run resumes an interrupted one). */
  store?: Store;
  config?: Partial<BackupConfig>;
  logger?: Logger;
}

/** A progress event. */
export interface BackupProgressEvent {
  stage: string;
  snapshotTag: string;
  progress: BackupProgressJson;
  /** Seconds left at the smoothed upload rate; undefined while unknown. */
  etaSeconds: number | undefined;
}

/** What a finished run returns. */
export interface BackupResult {
  runId: string;
  snapshotTag: string;
  progress: BackupProgressJson;
}

/** The engine's view of a library `Cluster`. */
function accessOf(cluster: Cluster, clusterId: string, clusterName: string): BackupClusterAccess {
  return {
    clusterId,
    clusterName,
    scylla: cluster.scylla,
    agent: cluster.agent,
    nodeInfo: (host) => cluster.nodeInfo(host),
    cqlSession: (host) => cluster.cqlSession({ host, singleHost: true }),
  };
}

/** A UUID from the sorted host IDs, so repeated library runs against one cluster share its bucket directory. */
function derivedClusterId(cluster: Cluster): string {
  const hash = createHash("sha1")
    .update(
      cluster.nodes
        .map((n) => n.hostId)
        .sort()
        .join(","),
    )
    .digest("hex");
  return `${hash.slice(0, 8)}-${hash.slice(8, 12)}-5${hash.slice(13, 16)}-a${hash.slice(17, 20)}-${hash.slice(20, 32)}`;
}

/**
 * A planned backup.
 * @example
 * const backup = await Backup.plan(cluster, { location: ["s3:my-bucket"], keyspace: ["ks1"] });
 * backup.on("progress", (e) => console.log(e.stage, e.etaSeconds));
 * const result = await backup.run();
 */
export class Backup extends EventEmitter<{ progress: [BackupProgressEvent] }> {
  readonly target: BackupTarget;
  readonly taskId: string;
  readonly #access: BackupClusterAccess;
  readonly #options: BackupOptions;

  private constructor(access: BackupClusterAccess, target: BackupTarget, taskId: string, options: BackupOptions) {
    super();
    this.#access = access;
    this.target = target;
    this.taskId = taskId;
    this.#options = options;
  }

  /** Resolves and checks the target (units, hosts, location access) without changing anything. */
  static async plan(cluster: Cluster, options: BackupOptions, signal?: AbortSignal): Promise<Backup> {
    const clusterName = options.clusterName ?? (await cluster.scylla.clusterName({ signal }));
    const access = accessOf(cluster, options.clusterId ?? derivedClusterId(cluster), clusterName);
    const target = await getBackupTarget(access, Backup.#properties(options), { signal });
    return new Backup(access, target, options.taskId ?? newUuid(), options);
  }

  static #properties(o: BackupOptions): Record<string, unknown> {
    const props: Record<string, unknown> = { location: o.location };
    if (o.keyspace) props.keyspace = o.keyspace;
    if (o.dc) props.dc = o.dc;
    if (o.retention !== undefined) props.retention = o.retention;
    if (o.retentionDays !== undefined) props.retention_days = o.retentionDays;
    if (o.retentionLockMode !== undefined) props.retention_lock_mode = o.retentionLockMode;
    if (o.overrideRetentionLock !== undefined) props.override_retention_lock = o.overrideRetentionLock;
    if (o.rateLimit) props.rate_limit = o.rateLimit;
    if (o.transfers !== undefined) props.transfers = o.transfers;
    if (o.snapshotParallel) props.snapshot_parallel = o.snapshotParallel;
    if (o.uploadParallel) props.upload_parallel = o.uploadParallel;
    if (o.skipSchema !== undefined) props.skip_schema = o.skipSchema;
    if (o.method !== undefined) props.method = o.method;
    if (o.purgeOnly !== undefined) props.purge_only = o.purgeOnly;
    if (o.continue !== undefined) props.continue = o.continue;
    return props;
  }

  /**
   * Backups in the locations (SM's `backup list`): per cluster and task, the snapshots and their keyspaces.
   * `clusterId` limits them to one cluster (default: every cluster in the bucket).
   */
  static async list(
    cluster: Cluster,
    options: BackupReadOptions & { minDate?: Date; maxDate?: Date },
  ): Promise<BackupListItem[]> {
    const { listClusterBackups } = await import("./read/library.ts");
    return listClusterBackups(cluster, derivedClusterId(cluster), options);
  }

  /** The files of snapshot `snapshotTag` (SM's `backup files`), per node manifest. */
  static async files(
    cluster: Cluster,
    options: BackupReadOptions & { snapshotTag: string },
  ): Promise<BackupFilesInfo[]> {
    const { listClusterBackupFiles } = await import("./read/library.ts");
    return listClusterBackupFiles(cluster, derivedClusterId(cluster), options);
  }

  /**
   * Deletes snapshots (SM's `backup delete`); files other snapshots still reference stay. `clusterId` defaults to
   * the one `plan` derives for this cluster.
   */
  static async delete(
    cluster: Cluster,
    options: { location: string[]; snapshotTags: string[]; clusterId?: string },
  ): Promise<DeleteSnapshotsResult> {
    const { deleteClusterSnapshots } = await import("./read/library.ts");
    return deleteClusterSnapshots(cluster, options.clusterId ?? derivedClusterId(cluster), options);
  }

  /**
   * Validates the backups of this cluster (SM's `validate_backup`): missing files, broken snapshots, orphans
   * (deleted with `deleteOrphanedFiles`). Rejects with SM's run error when something is wrong.
   */
  static async validate(
    cluster: Cluster,
    options: {
      location: string[];
      deleteOrphanedFiles?: boolean;
      clusterId?: string;
      onProgress?: (row: ValidateHostProgress) => void;
      signal?: AbortSignal;
    },
  ): Promise<ValidateResult> {
    const { validateClusterBackups } = await import("./read/library.ts");
    return validateClusterBackups(cluster, options.clusterId ?? derivedClusterId(cluster), options);
  }

  /**
   * Applies the task's retention without taking a snapshot (SM's `purge_only`): snapshots beyond `retention` /
   * `retentionDays` of `taskId` are deleted with the files no kept snapshot references.
   */
  static async purge(
    cluster: Cluster,
    options: Omit<BackupOptions, "purgeOnly"> & { taskId: string },
    signal?: AbortSignal,
  ): Promise<BackupResult> {
    const backup = await Backup.plan(cluster, { ...options, purgeOnly: true }, signal);
    return backup.run({ signal });
  }

  /** Runs the backup; resolves when it is DONE, rejects with the failing stage's error. */
  async run(options: { signal?: AbortSignal } = {}): Promise<BackupResult> {
    const runId = newTimeUuid();
    const eta = new EtaTracker();
    let latest: { run: BackupRun; rows: RunProgress[] } | undefined;
    const publisher = throttledPublisher(250, () => {
      if (!latest) return;
      const now = Date.now();
      const progress = aggregateProgress(latest.run, latest.rows, now);
      const etaSeconds = eta.update(progress.uploaded + progress.skipped, progress.size, now);
      this.emit("progress", { stage: latest.run.stage, snapshotTag: latest.run.snapshot_tag, progress, etaSeconds });
    });
    const run = await runBackup({
      cluster: this.#access,
      store: this.#options.store,
      taskId: this.taskId,
      runId,
      properties: Backup.#properties(this.#options),
      target: this.target,
      signal: options.signal ?? new AbortController().signal,
      config: {
        diskSpaceFreeMinPercent: 10,
        longPollingTimeoutSeconds: 10,
        ageMaxMs: 86_400_000,
        ...this.#options.config,
      },
      logger: this.#options.logger,
      onUpdate: (r, rows) => {
        const stageChanged = latest?.run.stage !== r.stage;
        latest = { run: { ...r }, rows };
        publisher.request(stageChanged);
      },
    });
    const rows = latest?.rows ?? [];
    const progress = aggregateProgress(run, rows, Date.now());
    latest = { run, rows };
    publisher.request(true);
    await publisher.settled();
    return { runId, snapshotTag: run.snapshot_tag, progress };
  }
}
