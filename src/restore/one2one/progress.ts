/**
 * SM's 1-1 restore progress JSON (`One2OneRestoreProgress`, SM's `progress.go` aggregation): per table the rows of
 * every host summed (size, restored = downloaded bytes), per view its build status. Times and statuses merge as SM
 * merges them: `started_at` is the earliest but null while any host has not started, `completed_at` the latest but
 * null while any host has not finished; any failed row fails the item, mixed statuses are `in_progress`.
 * @module
 */
import type { TableProgressRow, ViewProgressRow } from "./model.ts";

export type ProgressStatus = "not_started" | "in_progress" | "done" | "failed";

interface ItemProgress {
  started_at: string | null;
  completed_at: string | null;
  size: number;
  restored: number;
  status: ProgressStatus;
}

export interface One2OneTableProgress extends ItemProgress {
  keyspace: string;
  table: string;
}

export interface One2OneViewProgress extends ItemProgress {
  keyspace: string;
  table: string;
  view: string;
  view_type: string;
}

/** `GET .../task/1_1_restore/{task}/{run}` `progress` (null lists when there are no rows, as Go's nil slices). */
export interface One2OneProgress {
  tables: One2OneTableProgress[] | null;
  views: One2OneViewProgress[] | null;
}

const ms = (t: string) => Date.parse(t);

/** SM's `minTime`: a null accumulator takes `b`; a null `b` makes it null. */
function minTime(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return null;
  return ms(a) < ms(b) ? a : b;
}

/** SM's `maxTime`: a null `b` makes it null; otherwise the later of the two (a null accumulator takes `b`). */
function maxTime(a: string | null, b: string | null): string | null {
  if (b === null) return null;
  if (a === null || ms(a) < ms(b)) return b;
  return a;
}

function mergeStatus(dst: ProgressStatus | undefined, src: ProgressStatus): ProgressStatus {
  if (dst === undefined || dst === src) return src;
  if (dst === "failed" || src === "failed") return "failed";
  return "in_progress";
}

function tableStatus(r: TableProgressRow): ProgressStatus {
  if (r.error !== "") return "failed";
  if (r.started_at === null && r.completed_at === null) return "not_started";
  if (r.started_at !== null && r.completed_at !== null && r.is_refreshed) return "done";
  return "in_progress";
}

function viewStatus(r: ViewProgressRow): ProgressStatus {
  if (r.error !== "") return "failed";
  if (r.view_build_status === "UNKNOWN" || r.view_build_status === "") return "not_started";
  if (r.view_build_status === "SUCCESS") return "done";
  return "in_progress";
}

interface Acc {
  started: string | null;
  completed: string | null;
  size: number;
  restored: number;
  status?: ProgressStatus;
}

function add(
  acc: Acc,
  started: string | null,
  completed: string | null,
  size: number,
  restored: number,
  s: ProgressStatus,
) {
  acc.size += size;
  acc.restored += restored;
  acc.started = minTime(acc.started, started);
  acc.completed = maxTime(acc.completed, completed);
  acc.status = mergeStatus(acc.status, s);
}

const newAcc = (): Acc => ({ started: null, completed: null, size: 0, restored: 0 });

const done = (acc: Acc): ItemProgress => ({
  started_at: acc.started,
  completed_at: acc.completed,
  size: acc.size,
  restored: acc.restored,
  status: acc.status ?? "not_started",
});

const byName = (a: { keyspace: string; table: string; view?: string }, b: typeof a) =>
  a.keyspace.localeCompare(b.keyspace) || a.table.localeCompare(b.table) || (a.view ?? "").localeCompare(b.view ?? "");

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Aggregates stored rows into SM's progress JSON (tables and views sorted by name). */
export function aggregateOne2OneProgress(
  tableRows: readonly TableProgressRow[],
  viewRows: readonly ViewProgressRow[],
): One2OneProgress {
  // SM's merge depends on row order: rows come in its clustering order (keyspace, table, host / view type).
  const tableKey = (r: TableProgressRow) => [r.keyspace_name, r.table_name, r.host];
  const viewKey = (r: ViewProgressRow) => [r.keyspace_name, r.table_name, r.view_type, r.view_name];
  const tables = new Map<string, { keyspace: string; table: string; acc: Acc }>();
  for (const r of [...tableRows].sort((a, b) => compareKeys(tableKey(a), tableKey(b)))) {
    const key = `${r.keyspace_name}.${r.table_name}`;
    const item = tables.get(key) ?? { keyspace: r.keyspace_name, table: r.table_name, acc: newAcc() };
    add(item.acc, r.started_at, r.completed_at, r.table_size, r.downloaded, tableStatus(r));
    tables.set(key, item);
  }
  const views = new Map<string, { keyspace: string; table: string; view: string; type: string; acc: Acc }>();
  for (const r of [...viewRows].sort((a, b) => compareKeys(viewKey(a), viewKey(b)))) {
    const key = `${r.keyspace_name}.${r.view_name}`;
    const item = views.get(key) ?? {
      keyspace: r.keyspace_name,
      table: r.table_name,
      view: r.view_name,
      type: r.view_type,
      acc: newAcc(),
    };
    add(item.acc, r.started_at, r.completed_at, 0, 0, viewStatus(r));
    views.set(key, item);
  }
  const tableList = [...tables.values()]
    .map((t) => ({ ...done(t.acc), keyspace: t.keyspace, table: t.table }))
    .sort(byName);
  const viewList = [...views.values()]
    .map((x) => ({ ...done(x.acc), keyspace: x.keyspace, table: x.table, view: x.view, view_type: x.type }))
    .sort(byName);
  return { tables: tableList.length > 0 ? tableList : null, views: viewList.length > 0 ? viewList : null };
}

/** Bytes restored and to restore, and the earliest start of any table (for an ETA). */
export function one2OneTotals(p: One2OneProgress): { size: number; restored: number; startedAtMs: number | undefined } {
  let size = 0;
  let restored = 0;
  let started: number | undefined;
  for (const t of p.tables ?? []) {
    size += t.size;
    restored += t.restored;
    if (t.started_at !== null) {
      const at = ms(t.started_at);
      if (started === undefined || at < started) started = at;
    }
  }
  return { size, restored, startedAtMs: started };
}
