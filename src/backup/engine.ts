/**
 * One backup run in SM's stage order with SM's resume rules (`pkg/service/backup/service.go`, `Backup`):
 * - with `continue` (default) the last resumable run of the task (newest first; stop at a DONE one; runs that died
 *   before INDEX are skipped) is resumed when its tag is younger than `age_max` and its nodes are live;
 * - a resumed run keeps the tag, units, DCs and nodes, clones the progress rows and skips the stages before the one
 *   it stopped in, except INDEX, which is re-run when it stopped in MANIFEST..UPLOAD (the later stages need it);
 * - `purge_only` runs PURGE alone.
 * @module
 */

import * as v from "valibot";
import { RcloneClient } from "../clients/agent/rclone.ts";
import { ManagerError } from "../errors.ts";
import type { Store } from "../store/store.ts";
import { createSilentLogger, type Logger } from "../util/log.ts";
import { type BackupClusterAccess, type BackupConfig, DEFAULT_BACKUP_CONFIG } from "./access.ts";
import { formatLocation as locationString, SnapshotTagGenerator, snapshotTagTime } from "./layout/index.ts";
import { settleUnnamedTasks } from "./leftovers.ts";
import type { BackupMetrics } from "./metrics.ts";
import {
  type BackupRun,
  BackupRunSchema,
  PROGRESS_KIND,
  RESUMABLE_STAGES,
  RUN_KIND,
  type RunProgress,
  RunProgressSchema,
  STAGES,
  type Stage,
  stageIndex,
} from "./model.ts";
import { hostNativeBackupSupport } from "./native.ts";
import { limitFor, type RetentionPolicy } from "./properties.ts";
import { indexStage } from "./stage-index.ts";
import { manifestStage, moveManifestStage, schemaStage } from "./stage-manifest.ts";
import { purgeStage } from "./stage-purge.ts";
import { retentionLockStage } from "./stage-retention-lock.ts";
import { awaitSchemaStage, snapshotStage } from "./stage-snapshot.ts";
import { deduplicateStage, uploadStage } from "./stage-upload.ts";
import { type BackupTarget, getBackupTarget } from "./target.ts";
import { type HostInfo, ProgressBook, type RunEnv } from "./worker.ts";

/** Inputs of one run. */
export interface RunBackupOptions {
  cluster: BackupClusterAccess;
  /** Where run and progress rows persist; without it nothing is resumable. */
  store?: Store;
  taskId: string;
  runId: string;
  properties: unknown;
  /** An already resolved target (the library's plan). */
  target?: BackupTarget;
  signal: AbortSignal;
  config?: BackupConfig;
  logger?: Logger;
  metrics?: BackupMetrics;
  /** Called on every stage change and progress update (throttling is the caller's). */
  onUpdate?: (run: BackupRun, rows: RunProgress[]) => void;
}

/** One generator per process: tags never repeat (SM's guarantee within one manager). */
const tags = new SnapshotTagGenerator();

/** The run to resume, or undefined (SM's `GetLastResumableRun`). */
export async function lastResumableRun(
  store: Store,
  clusterId: string,
  taskId: string,
  currentRunId: string,
): Promise<{ id: string; run: BackupRun } | undefined> {
  const runs = await store.listServiceRuns(RUN_KIND, clusterId, taskId, 20);
  for (const record of runs) {
    if (record.runId === currentRunId) continue;
    const parsed = v.safeParse(BackupRunSchema, record.value);
    if (!parsed.success) continue;
    const run = parsed.output;
    if (run.stage === "DONE" || run.stage === "") return undefined;
    if (RESUMABLE_STAGES.has(run.stage as Stage)) return { id: record.runId, run };
  }
  return undefined;
}

/** Whether `stage` runs when resuming from `prev` (SM's skip rule). */
export function stageRuns(stage: Stage, prev: Stage | undefined, purgeOnly: boolean): boolean {
  if (stage === "DONE") return false;
  if (purgeOnly) return stage === "PURGE";
  if (prev === undefined) return true;
  if (stage === "INDEX" && ["MANIFEST", "SCHEMA", "DEDUPLICATE", "UPLOAD"].includes(prev)) return true;
  return stageIndex(stage) >= stageIndex(prev);
}

/** Runs one backup to the end; rejects with the stage's error (the run stays resumable). */
export async function runBackup(options: RunBackupOptions): Promise<BackupRun> {
  const { cluster, store, taskId, runId, signal } = options;
  const clusterId = cluster.clusterId;
  const config = options.config ?? DEFAULT_BACKUP_CONFIG;
  const logger = options.logger ?? createSilentLogger();
  const target = options.target ?? (await getBackupTarget(cluster, options.properties, { signal }));
  const props = target.properties;
  let prev: { id: string; run: BackupRun } | undefined;
  if (props.continue && store && !props.purgeOnly) {
    prev = await lastResumableRun(store, clusterId, taskId, runId);
    if (prev && Date.now() - snapshotTagTime(prev.run.snapshot_tag).getTime() > config.ageMaxMs) prev = undefined;
  }
  let hosts = target.hosts;
  let run: BackupRun;
  let prevRows = new Map<string, RunProgress>();
  if (prev) {
    const nodes = new Set(prev.run.nodes ?? []);
    const missing = [...nodes].filter((id) => !hosts.some((h) => h.hostId === id));
    if (missing.length > 0) throw new ManagerError(`missing hosts to resume backup: ${missing.join(", ")}`);
    hosts = hosts.filter((h) => nodes.has(h.hostId));
    run = { ...prev.run, prev_id: prev.id, start_time: new Date().toISOString() };
    const rows = await store?.listProgress(PROGRESS_KIND, clusterId, taskId, prev.id);
    for (const row of rows ?? []) {
      const parsed = v.safeParse(RunProgressSchema, row.value);
      if (parsed.success) prevRows.set(row.key, parsed.output);
    }
    logger.info("resuming backup", { prev: prev.id, tag: run.snapshot_tag, stage: run.stage });
  } else {
    run = {
      prev_id: "",
      snapshot_tag: await tags.next(),
      units: target.units.map((u) => ({ keyspace: u.keyspace, tables: u.tables, all_tables: u.allTables })),
      dc: target.dcs,
      nodes: hosts.map((h) => h.hostId),
      location: target.locations.map(locationString),
      start_time: new Date().toISOString(),
      stage: "INIT",
      retention_lock_mode: props.retentionLockMode,
      override_retention_lock: props.overrideRetentionLock,
      retention_days: props.retention.retentionDays,
    };
  }
  const prevStage = prev ? (prev.run.stage as Stage) : undefined;
  const units = (run.units ?? []).map((u) => ({
    keyspace: u.keyspace,
    tables: u.tables ?? [],
    allTables: u.all_tables,
  }));
  const progress = new ProgressBook(store, { clusterId, taskId, runId });
  const hostInfos: HostInfo[] = await Promise.all(
    hosts.map(async (h) => {
      const nodeInfo = await cluster.nodeInfo(h.ip);
      const native = hostNativeBackupSupport(nodeInfo, h.location, props.method);
      if (!native.ok && props.method !== "rclone") {
        // `native` was checked by the target already: a node that lost its endpoint since is a failure.
        if (props.method === "native")
          throw new ManagerError(`${h.ip}: native backup is not supported: ${native.reason}`);
        logger.info("backup: node uploads with rclone", { host: h.ip, reason: native.reason });
      }
      return {
        ...h,
        rateLimit: limitFor(props.rateLimit, h.dc) ?? 0,
        transfers: props.transfers,
        nodeInfo,
        ...(native.ok ? { nativeEndpoint: native.endpoint } : {}),
      };
    }),
  );
  const env: RunEnv = {
    cluster,
    store,
    clusterId,
    taskId,
    runId,
    run,
    units,
    hosts: hostInfos,
    uploadParallel: props.uploadParallel,
    snapshotParallel: props.snapshotParallel,
    skipSchema: props.skipSchema,
    config,
    signal,
    logger,
    metrics: options.metrics,
    rclone: new RcloneClient(cluster.agent),
    dirs: new Map(),
    progress,
  };
  const emit = () => options.onUpdate?.(run, [...progress.rows.values()]);
  progress.onChange(emit);
  const saveRun = async () => {
    await store?.putServiceRun(RUN_KIND, { clusterId, taskId, runId, value: run });
    emit();
  };
  if (prev) {
    // The resumed run starts from the previous rows (SM clones them to the new run ID).
    for (const row of prevRows.values()) progress.put({ ...row });
    await progress.flush();
  }
  await saveRun();
  const policyOf = (id: string): RetentionPolicy | undefined =>
    props.retentionMap.get(id) ?? (id === taskId ? props.retention : undefined);
  const afterUpload = prevStage !== undefined && stageIndex(prevStage) > stageIndex("UPLOAD");
  const stages: Record<string, () => Promise<void>> = {
    SNAPSHOT: () => snapshotStage(env),
    AWAIT_SCHEMA: () => (props.skipSchema ? Promise.resolve() : awaitSchemaStage(env)),
    INDEX: () => indexStage(env, prevRows, prevStage === "UPLOAD" || afterUpload),
    MANIFEST: () => manifestStage(env),
    SCHEMA: () => schemaStage(env),
    DEDUPLICATE: () => deduplicateStage(env),
    UPLOAD: () => uploadStage(env),
    MOVE_MANIFEST: () => moveManifestStage(env),
    RETENTION_LOCK: () => retentionLockStage(env),
    PURGE: () => purgeStage(env, policyOf),
  };
  try {
    // An attempt killed in UPLOAD may have left Scylla tasks no row names: settled before INDEX sees the dirs.
    if (prevStage === "UPLOAD" && !props.purgeOnly) await settleUnnamedTasks(env, progress.rows.values());
    for (const stage of STAGES) {
      if (stage === "INIT" || !stageRuns(stage, prevStage, props.purgeOnly)) continue;
      signal.throwIfAborted();
      // INDEX re-run on resume must not move the persisted stage backwards (the run stays resumable from there).
      if (!(stage === "INDEX" && prevStage && stageIndex(prevStage) > stageIndex("INDEX"))) {
        run.stage = stage;
        await saveRun();
      }
      await stages[stage]?.();
      prevRows = new Map();
    }
    run.stage = "DONE";
    await saveRun();
    return run;
  } finally {
    await progress.flush();
  }
}

export { STAGES };
