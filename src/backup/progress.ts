/**
 * A backup run's progress in SM's API shape (`BackupProgress`, `pkg/service/backup/progress.go`): sums per table,
 * keyspace, host and run; a parent's `started_at` is its children's earliest, `completed_at` their latest but null
 * while any child is unfinished. During INIT, SNAPSHOT and INDEX only the header is returned. Beyond SM,
 * `eta_seconds` (seconds left at the mean rate since the upload started) when it can be estimated.
 * @module
 */
import { estimateEta } from "../util/eta.ts";
import type { BackupRun, RunProgress } from "./model.ts";

interface Counters {
  size: number;
  uploaded: number;
  skipped: number;
  failed: number;
  started_at: string | null;
  completed_at: string | null;
}

export interface TableProgressJson extends Counters {
  table: string;
  error?: string;
}
export interface KeyspaceProgressJson extends Counters {
  keyspace: string;
  tables: TableProgressJson[];
}
export interface HostProgressJson extends Counters {
  host: string;
  keyspaces: KeyspaceProgressJson[];
}
export interface BackupProgressJson extends Counters {
  snapshot_tag: string;
  dcs: string[];
  stage: string;
  retention_lock_mode: string;
  override_retention_lock: boolean;
  retention_days: number;
  hosts?: HostProgressJson[];
  eta_seconds?: number;
}

const HEADER_ONLY = new Set(["", "INIT", "SNAPSHOT", "INDEX"]);

function sum(children: readonly Counters[], counted: readonly boolean[]): Counters {
  const out: Counters = { size: 0, uploaded: 0, skipped: 0, failed: 0, started_at: null, completed_at: null };
  let unfinished = false;
  children.forEach((c, i) => {
    out.size += c.size;
    out.uploaded += c.uploaded;
    out.skipped += c.skipped;
    out.failed += c.failed;
    if (c.started_at && (out.started_at === null || c.started_at < out.started_at)) out.started_at = c.started_at;
    if (!counted[i]) return;
    if (c.completed_at === null) unfinished = true;
    else if (out.completed_at === null || c.completed_at > out.completed_at) out.completed_at = c.completed_at;
  });
  if (unfinished) out.completed_at = null;
  return out;
}

/** Aggregates rows into SM's JSON. `nowMs` feeds the ETA. */
export function aggregateProgress(run: BackupRun, rows: readonly RunProgress[], nowMs: number): BackupProgressJson {
  const header: BackupProgressJson = {
    snapshot_tag: run.snapshot_tag,
    dcs: run.dc ?? [],
    stage: run.stage,
    retention_lock_mode: run.retention_lock_mode,
    override_retention_lock: run.override_retention_lock,
    retention_days: run.retention_days,
    size: 0,
    uploaded: 0,
    skipped: 0,
    failed: 0,
    started_at: null,
    completed_at: null,
  };
  if (HEADER_ONLY.has(run.stage)) return header;
  const units = run.units ?? [];
  const byHost = new Map<string, RunProgress[]>();
  for (const row of rows) {
    const list = byHost.get(row.host) ?? [];
    list.push(row);
    byHost.set(row.host, list);
  }
  const hosts: HostProgressJson[] = [];
  const hostCounted: boolean[] = [];
  for (const host of [...byHost.keys()].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))) {
    const hostRows = byHost.get(host) ?? [];
    const keyspaces: KeyspaceProgressJson[] = [];
    const ksCounted: boolean[] = [];
    units.forEach((unit, unitIndex) => {
      const tables: TableProgressJson[] = [];
      const counted: boolean[] = [];
      for (const table of unit.tables ?? []) {
        const row = hostRows.find((r) => r.unit === unitIndex && r.table_name === table);
        tables.push({
          table,
          ...(row?.error ? { error: row.error } : {}),
          size: row?.size ?? 0,
          uploaded: row?.uploaded ?? 0,
          skipped: row?.skipped ?? 0,
          failed: row?.failed ?? 0,
          started_at: row?.started_at ?? null,
          completed_at: row?.completed_at ?? null,
        });
        counted.push(row !== undefined);
      }
      if (tables.length === 0) return;
      keyspaces.push({ keyspace: unit.keyspace, tables, ...sum(tables, counted) });
      ksCounted.push(counted.some(Boolean));
    });
    hosts.push({ host, keyspaces, ...sum(keyspaces, ksCounted) });
    hostCounted.push(hostRows.length > 0);
  }
  const total = sum(hosts, hostCounted);
  const progress: BackupProgressJson = { ...header, ...total, hosts };
  if (total.started_at) {
    const eta = estimateEta({
      startedAtMs: Date.parse(total.started_at),
      nowMs,
      done: total.uploaded + total.skipped,
      total: total.size,
    });
    if (eta !== undefined) progress.eta_seconds = eta;
  }
  return progress;
}

/** SM's percent: floor((uploaded + skipped) × 100 / size), 100 for an empty size. */
export function percentDone(p: { size: number; uploaded: number; skipped: number }): number {
  if (p.size === 0) return 100;
  return Math.floor(((p.uploaded + p.skipped) * 100) / p.size);
}
