/**
 * Restore progress in SM's JSON shape (`RestoreProgress`, SM's `pkg/service/restore/progress.go` aggregation):
 * sizes from the run's units, bytes from the batch rows; per table, keyspace and host; `completed_at` only once
 * everything is restored. Pure.
 * @module
 */
import type { RestoreProgressRow, RestoreRunState, RestoreView } from "./model.ts";
import type { RestoreStage } from "./stage.ts";

interface Base {
  size: number;
  restored: number;
  downloaded: number;
  failed: number;
  started_at: string | null;
  completed_at: string | null;
}

export interface RestoreTableProgress extends Base {
  table: string;
  tombstone_gc: string;
  error?: string;
}

export interface RestoreKeyspaceProgress extends Base {
  keyspace: string;
  tables: RestoreTableProgress[];
}

export interface RestoreHostProgress {
  host: string;
  shard_cnt: number;
  restored_bytes: number;
  restore_duration: number;
  downloaded_bytes: number;
  download_duration: number;
  streamed_bytes: number;
  stream_duration: number;
}

/** SM's `RestoreProgress`. */
export interface RestoreProgress extends Base {
  snapshot_tag: string;
  stage: RestoreStage | "";
  keyspaces?: RestoreKeyspaceProgress[];
  hosts?: RestoreHostProgress[];
  views?: RestoreView[];
  repair_progress: unknown;
}

const ms = (t: string | null) => (t ? Date.parse(t) : Number.NaN);
const minTime = (a: string | null, b: string | null) => (!a ? b : !b ? a : ms(a) <= ms(b) ? a : b);
const maxTime = (a: string | null, b: string | null) => (!a ? b : !b ? a : ms(a) >= ms(b) ? a : b);
const span = (start: string | null, end: string | null, now: number) =>
  start ? Math.max(0, (end ? ms(end) : now) - ms(start)) : 0;

function zero(): Base {
  return { size: 0, restored: 0, downloaded: 0, failed: 0, started_at: null, completed_at: null };
}

function addChild(parent: Base, child: Base): void {
  parent.restored += child.restored;
  parent.downloaded += child.downloaded;
  parent.failed += child.failed;
  parent.started_at = minTime(parent.started_at, child.started_at);
  parent.completed_at = maxTime(parent.completed_at, child.completed_at);
}

/** Aggregates a run's batch rows into SM's progress JSON. `now` (epoch ms) closes running durations. */
export function aggregateRestoreProgress(
  run: Pick<RestoreRunState, "snapshot_tag" | "units" | "views"> & { stage: RestoreStage | "" },
  rows: readonly RestoreProgressRow[],
  now: number,
): RestoreProgress {
  const tables = new Map<string, Base & { error: string }>();
  const hosts = new Map<string, RestoreHostProgress>();
  for (const r of rows) {
    const key = `${r.keyspace_name}.${r.table_name}`;
    const t = tables.get(key) ?? { ...zero(), error: "" };
    t.downloaded += r.downloaded;
    t.restored += r.restored;
    t.failed += r.failed;
    t.started_at = minTime(t.started_at, r.restore_started_at);
    t.completed_at = maxTime(t.completed_at, r.restore_completed_at);
    if (r.error) t.error = t.error ? `${t.error}\n${r.error}` : r.error;
    tables.set(key, t);
    const h = hosts.get(r.host) ?? {
      host: r.host,
      shard_cnt: 0,
      restored_bytes: 0,
      restore_duration: 0,
      downloaded_bytes: 0,
      download_duration: 0,
      streamed_bytes: 0,
      stream_duration: 0,
    };
    h.shard_cnt = r.shard_cnt;
    if (r.scylla_task_id) {
      // A native batch: Scylla downloads and loads in one task, so it only counts as restored.
      if (r.restore_completed_at) {
        h.restored_bytes += r.restored;
        h.restore_duration += span(r.restore_started_at, r.restore_completed_at, now);
      }
      hosts.set(r.host, h);
      continue;
    }
    h.downloaded_bytes += r.downloaded;
    h.download_duration += span(r.download_started_at, r.download_completed_at, now);
    if (r.restore_completed_at) {
      h.restored_bytes += r.restored;
      h.restore_duration += span(r.restore_started_at, r.restore_completed_at, now);
      h.streamed_bytes += r.restored;
      h.stream_duration += span(r.download_completed_at, r.restore_completed_at, now);
    }
    hosts.set(r.host, h);
  }
  const p: RestoreProgress = {
    ...zero(),
    repair_progress: null,
    snapshot_tag: run.snapshot_tag,
    stage: run.stage,
  };
  const keyspaces: RestoreKeyspaceProgress[] = [];
  for (const u of run.units) {
    const kp: RestoreKeyspaceProgress = { ...zero(), keyspace: u.keyspace, size: u.size, tables: [] };
    p.size += u.size;
    for (const t of u.tables) {
      const agg = tables.get(`${u.keyspace}.${t.table}`);
      const tp: RestoreTableProgress = {
        ...(agg ?? zero()),
        table: t.table,
        tombstone_gc: t.tombstone_gc,
        size: t.size,
      };
      if (agg?.error) tp.error = agg.error;
      else delete tp.error;
      if (tp.restored < tp.size) tp.completed_at = null;
      kp.tables.push(tp);
      addChild(kp, tp);
    }
    if (kp.restored < kp.size) kp.completed_at = null;
    keyspaces.push(kp);
    addChild(p, kp);
  }
  if (p.restored < p.size) p.completed_at = null;
  if (keyspaces.length > 0) p.keyspaces = keyspaces;
  if (hosts.size > 0) p.hosts = [...hosts.values()];
  if (run.views.length > 0) p.views = run.views.map((view) => ({ ...view, status: view.status ?? "" }));
  return p;
}
