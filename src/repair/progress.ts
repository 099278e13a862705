/**
 * Repair progress (SM's `progress.go`): rows per host/keyspace/table (`repair_run_progress`) and the repaired
 * ranges per table (`repair_run_state`) in the store, kept in memory during a run and written in one batch per
 * job end (a small or tablet table's whole progress is one batch, not one write per replica set); resume from the
 * previous run; and the aggregation into SM's progress JSON (percentages weighted by table size).
 * @module
 */
import type { RepairRange } from "../clients/scylla/repair.ts";
import type { Store, StoreWrite } from "../store/store.ts";
import {
  PROGRESS_KIND,
  type RepairProgressRow,
  type RepairRunRow,
  type RepairStateRow,
  RUN_KIND,
  STATE_KIND,
} from "./model.ts";
import { type Plan, planTables } from "./plan.ts";
import { type TableWork, tableKey } from "./schedule.ts";

/** The key of a `repair_run_progress` row. */
export const repairProgressKey = (host: string, ks: string, table: string) => `${host}/${ks}/${table}`;
const rowKey = repairProgressKey;
const rangeKey = (r: RepairRange) => `${r.start}:${r.end}`;

/** Identifies a run in the store. */
export interface RunKey {
  clusterId: string;
  taskId: string;
  runId: string;
}

/** The previous run to resume, SM's `GetPrevRun`: newest initialised run among the last 20, if not finished. */
export async function findPrevRun(
  store: Store,
  key: RunKey,
  ageMaxMs: number,
  nowMs: number,
): Promise<{ id: string; run: RepairRunRow } | undefined> {
  const runs = await store.listServiceRuns(RUN_KIND, key.clusterId, key.taskId, 20);
  for (const r of runs) {
    if (r.runId === key.runId) continue;
    const rows = await store.listProgress(PROGRESS_KIND, key.clusterId, key.taskId, r.runId);
    if (rows.length === 0) continue;
    const run = r.value as RepairRunRow;
    if (run.end_time) return undefined;
    if (ageMaxMs > 0 && nowMs - Date.parse(run.start_time) > ageMaxMs) return undefined;
    return { id: r.runId, run };
  }
  return undefined;
}

/** SM's `shouldBatchRanges`: no ERROR or WAITING run in the prev_id chain. */
export async function shouldBatchRanges(store: Store, key: RunKey, prevId: string): Promise<boolean> {
  let id = prevId;
  const seen = new Set<string>();
  while (id !== "" && !seen.has(id)) {
    seen.add(id);
    const run = await store.getRun(key.clusterId, "repair", key.taskId, id);
    if (run && (run.status === "ERROR" || run.status === "WAITING")) return false;
    const meta = await store.getServiceRun(RUN_KIND, key.clusterId, key.taskId, id);
    id = (meta?.value as RepairRunRow | undefined)?.prev_id ?? "";
  }
  return true;
}

/** Live progress of a run: in-memory rows mirrored to the store. */
export class ProgressManager {
  readonly #store: Store | undefined;
  readonly #key: RunKey;
  readonly #rows = new Map<string, RepairProgressRow>();
  readonly #state = new Map<string, { row: RepairStateRow; keys: Set<string> }>();
  readonly #now: () => number;
  #writes: Promise<void> = Promise.resolve();
  #writeError: unknown;
  /** Ranges per table (all hosts' rows summed), for the total percentage. */
  readonly #tableRanges = new Map<string, number>();
  readonly #tableSize = new Map<string, number>();
  #totalSize = 0;
  /** Done (success + error) range-replicas, for the ETA. */
  done = 0;
  total = 0;
  success = 0;
  errors = 0;

  constructor(store: Store | undefined, key: RunKey, now: () => number = Date.now) {
    this.#store = store;
    this.#key = key;
    this.#now = now;
  }

  get rows(): RepairProgressRow[] {
    return [...this.#rows.values()];
  }

  /** Ranges already repaired per table (resume), from the copied state. */
  doneRanges(): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const [k, s] of this.#state) if (s.keys.size > 0) out.set(k, s.keys);
    return out;
  }

  /** SM's `Init`: state per planned table (copied from `prevId`), then progress rows (copied when state exists). */
  async init(plan: Plan, prevId: string): Promise<void> {
    const tables = planTables(plan);
    const prevState = new Map<string, RepairStateRow>();
    const prevRows = new Map<string, RepairProgressRow>();
    if (prevId !== "" && this.#store) {
      for (const r of await this.#store.listProgress(STATE_KIND, this.#key.clusterId, this.#key.taskId, prevId)) {
        const row = r.value as RepairStateRow;
        prevState.set(tableKey(row.keyspace, row.table), row);
      }
      for (const r of await this.#store.listProgress(PROGRESS_KIND, this.#key.clusterId, this.#key.taskId, prevId)) {
        const row = r.value as RepairProgressRow;
        prevRows.set(rowKey(row.host, row.keyspace, row.table), row);
      }
    }
    let copied = false;
    for (const t of tables) {
      const k = tableKey(t.keyspace, t.table);
      const prev = prevState.get(k);
      const ranges = prev?.success_ranges ?? [];
      if (ranges.length > 0) copied = true;
      this.#state.set(k, {
        row: { keyspace: t.keyspace, table: t.table, success_ranges: [...ranges] },
        keys: new Set(ranges.map(([s, e]) => `${s}:${e}`)),
      });
      this.#tableSize.set(k, t.size);
      this.#totalSize += t.size;
    }
    for (const t of tables) {
      let tableRanges = 0;
      for (const host of plan.hosts) {
        const tokenRanges = t.hostRanges.get(host) ?? 0;
        const key = rowKey(host, t.keyspace, t.table);
        const row: RepairProgressRow = {
          host,
          keyspace: t.keyspace,
          table: t.table,
          size: t.hostSize.get(host) ?? 0,
          token_ranges: tokenRanges,
          success: 0,
          error: 0,
          started_at: null,
          completed_at: null,
        };
        const prev = prevRows.get(key);
        if (copied && prev && prev.token_ranges > 0 && tokenRanges > 0) {
          row.success = prev.success;
          row.token_ranges = prev.token_ranges;
        }
        tableRanges += row.token_ranges;
        this.total += row.token_ranges;
        this.done += Math.min(row.success, row.token_ranges);
        this.success += Math.min(row.success, row.token_ranges);
        this.#rows.set(key, row);
      }
      this.#tableRanges.set(tableKey(t.keyspace, t.table), tableRanges);
    }
    const writes: StoreWrite[] = [
      {
        op: "putProgress",
        kind: STATE_KIND,
        ...this.#key,
        rows: [...this.#state.entries()].map(([k, s]) => ({ key: k, value: s.row })),
      },
      {
        op: "putProgress",
        kind: PROGRESS_KIND,
        ...this.#key,
        rows: [...this.#rows.entries()].map(([k, r]) => ({ key: k, value: r })),
      },
    ];
    if (this.#store) await this.#store.batch(writes);
  }

  /** Marks the hosts of a job as started (every table of the job). */
  onJobStart(keyspace: string, work: readonly TableWork[]): void {
    const now = new Date(this.#now()).toISOString();
    const changed = new Map<string, RepairProgressRow>();
    for (const { table, parts } of work) {
      for (const p of parts) {
        for (const h of p.hosts) {
          const key = rowKey(h, keyspace, table);
          const row = this.#rows.get(key);
          if (row && row.started_at === null) {
            row.started_at = now;
            changed.set(key, row);
          }
        }
      }
    }
    if (changed.size > 0)
      this.#write([{ op: "putProgress", kind: PROGRESS_KIND, ...this.#key, rows: toRows(changed) }]);
  }

  /**
   * Records a job's end: success or error per replica and table, repaired ranges in each table's state; one
   * batch for the whole job (a job may repair several tables of its keyspace).
   */
  onJobEnd(keyspace: string, work: readonly TableWork[], ok: boolean): void {
    const now = new Date(this.#now()).toISOString();
    const changed = new Map<string, RepairProgressRow>();
    const states: Array<{ key: string; value: unknown }> = [];
    for (const { table, parts } of work) {
      for (const p of parts) {
        const n = p.ranges.length;
        for (const h of p.hosts) {
          const key = rowKey(h, keyspace, table);
          const row = this.#rows.get(key);
          if (!row) continue;
          row.started_at ??= now;
          if (ok) row.success += n;
          else row.error += n;
          this.done += n;
          if (ok) this.success += n;
          else this.errors += n;
          if (row.token_ranges <= row.success + row.error) row.completed_at = now;
          changed.set(key, row);
        }
      }
      if (!ok) continue;
      const k = tableKey(keyspace, table);
      const state = this.#state.get(k);
      if (!state) continue;
      for (const p of parts) {
        for (const r of p.ranges) {
          const rk = rangeKey(r);
          if (state.keys.has(rk)) continue;
          state.keys.add(rk);
          state.row.success_ranges.push([r.start.toString(), r.end.toString()]);
        }
      }
      states.push({ key: k, value: state.row });
    }
    const writes: StoreWrite[] = [{ op: "putProgress", kind: PROGRESS_KIND, ...this.#key, rows: toRows(changed) }];
    if (states.length > 0) writes.push({ op: "putProgress", kind: STATE_KIND, ...this.#key, rows: states });
    this.#write(writes);
  }

  /** Total progress in percent weighted by table size (SM's progress metric). */
  percent(): number {
    let sum = 0;
    const tables = this.#tableRanges.size;
    const doneByTable = new Map<string, number>();
    for (const r of this.#rows.values()) {
      const k = tableKey(r.keyspace, r.table);
      doneByTable.set(k, (doneByTable.get(k) ?? 0) + Math.min(r.success, r.token_ranges));
    }
    for (const [k, ranges] of this.#tableRanges) {
      if (ranges === 0) continue;
      const w = this.#totalSize > 0 ? (this.#tableSize.get(k) ?? 0) / this.#totalSize : 1 / tables;
      sum += ((doneByTable.get(k) ?? 0) / ranges) * w;
    }
    return Math.min(100, sum * 100);
  }

  #write(writes: StoreWrite[]): void {
    const store = this.#store;
    if (!store) return;
    this.#writes = this.#writes.then(() =>
      store.batch(writes).catch((error: unknown) => {
        this.#writeError = error;
      }),
    );
  }

  /** Waits for pending writes; returns the last write error (logged by the caller, not fatal as in SM). */
  async flush(): Promise<unknown> {
    await this.#writes;
    return this.#writeError;
  }
}

function toRows(rows: Map<string, RepairProgressRow>) {
  return [...rows.entries()].map(([key, value]) => ({ key, value: { ...value } }));
}

// ----- aggregation (SM's AggregateProgress) -----

/** SM's progress base. */
export interface ProgressBase {
  token_ranges: number;
  success: number;
  error: number;
  started_at: string | null;
  completed_at: string | null;
  duration_ms: number;
}

export interface TableProgress extends ProgressBase {
  keyspace: string;
  table: string;
}

export interface HostProgress extends ProgressBase {
  host: string;
  tables: TableProgress[];
}

/** SM's RepairProgress JSON (plus `eta_seconds`, beyond SM). */
export interface RepairProgress extends ProgressBase {
  success_percentage: number;
  error_percentage: number;
  dcs: string[];
  host: string;
  hosts: HostProgress[];
  tables: TableProgress[];
  max_intensity: number;
  intensity: number;
  max_parallel: number;
  parallel: number;
  /** Beyond SM: estimated seconds left (absent when unknown). */
  eta_seconds?: number;
}

const SENTINEL = "sentinel";

function emptyBase(): ProgressBase {
  return { token_ranges: 0, success: 0, error: 0, started_at: null, completed_at: SENTINEL, duration_ms: 0 };
}

function merge(
  into: ProgressBase,
  row: { token_ranges: number; success: number; error: number; started_at: string | null; completed_at: string | null },
) {
  into.token_ranges += row.token_ranges;
  into.success += row.success;
  into.error += row.error;
  if (row.started_at !== null && (into.started_at === null || row.started_at < into.started_at)) {
    into.started_at = row.started_at;
  }
  if (row.completed_at === null || into.completed_at === null) into.completed_at = null;
  else if (into.completed_at === SENTINEL || row.completed_at > into.completed_at) into.completed_at = row.completed_at;
}

function finishBase(b: ProgressBase, nowMs: number): void {
  if (b.completed_at === SENTINEL) b.completed_at = null;
  if (b.started_at === null) b.duration_ms = 0;
  else {
    const end = b.completed_at === null ? nowMs : Date.parse(b.completed_at);
    b.duration_ms = Math.max(0, end - Date.parse(b.started_at));
  }
}

const byName = (a: { keyspace: string; table: string }, b: { keyspace: string; table: string }) => {
  const x = a.keyspace + a.table;
  const y = b.keyspace + b.table;
  return x < y ? -1 : x > y ? 1 : 0;
};

/** SM's `AggregateProgress` over stored rows (rows with no ranges skipped). */
export function aggregateProgress(
  rows: readonly RepairProgressRow[],
  run: RepairRunRow | undefined,
  nowMs: number,
  live?: { maxIntensity: number; maxParallel: number },
): RepairProgress {
  const top = emptyBase();
  const hosts = new Map<string, HostProgress>();
  const tables = new Map<string, TableProgress>();
  const tableRows = new Map<string, { size: number; success: number; error: number; ranges: number }>();
  const rowDuration = (r: RepairProgressRow): ProgressBase => {
    const b: ProgressBase = {
      token_ranges: r.token_ranges,
      success: r.success,
      error: r.error,
      started_at: r.started_at,
      completed_at: r.completed_at,
      duration_ms: 0,
    };
    finishBase(b, nowMs);
    return b;
  };
  for (const r of rows) {
    if (r.token_ranges === 0) continue;
    let h = hosts.get(r.host);
    if (!h) {
      h = { ...emptyBase(), host: r.host, tables: [] };
      hosts.set(r.host, h);
    }
    merge(h, r);
    const d = rowDuration(r);
    h.tables.push({
      token_ranges: r.token_ranges,
      success: r.success,
      error: r.error,
      started_at: r.started_at,
      completed_at: r.completed_at,
      duration_ms: d.duration_ms,
      keyspace: r.keyspace,
      table: r.table,
    });
    const k = `${r.keyspace}\u0000${r.table}`;
    let t = tables.get(k);
    if (!t) {
      t = { ...emptyBase(), keyspace: r.keyspace, table: r.table };
      tables.set(k, t);
    }
    merge(t, r);
    const w = tableRows.get(k) ?? { size: 0, success: 0, error: 0, ranges: 0 };
    w.size += r.size;
    w.success += r.success;
    w.error += r.error;
    w.ranges += r.token_ranges;
    tableRows.set(k, w);
  }
  for (const h of hosts.values()) {
    finishBase(h, nowMs);
    h.tables.sort(byName);
    merge(top, h);
  }
  for (const t of tables.values()) finishBase(t, nowMs);
  finishBase(top, nowMs);
  let success = -1;
  let error = -1;
  if (top.token_ranges > 0) {
    const all = [...tableRows.values()];
    const totalSize = all.reduce((s, w) => s + w.size, 0);
    let sw = 0;
    let ew = 0;
    let wsum = 0;
    for (const w of all) {
      const weight = totalSize > 0 ? w.size : 1;
      sw += (weight * Math.min(w.success, w.ranges)) / w.ranges;
      ew += (weight * w.error) / w.ranges;
      wsum += weight;
    }
    success = wsum > 0 ? Math.trunc((100 * sw) / wsum) : 0;
    error = wsum > 0 ? Math.trunc((100 * ew) / wsum) : 0;
  }
  return {
    ...top,
    success_percentage: success,
    error_percentage: error,
    dcs: run?.dc ?? [],
    host: run?.host ?? "",
    hosts: [...hosts.values()].sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0)),
    tables: [...tables.values()].sort(byName),
    max_intensity: live?.maxIntensity ?? 0,
    intensity: run?.intensity ?? 0,
    max_parallel: live?.maxParallel ?? 0,
    parallel: run?.parallel ?? 0,
  };
}
