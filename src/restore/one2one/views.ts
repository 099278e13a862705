/**
 * Views and tombstone_gc around a 1-1 restore (SM's `worker_tgc.go`, `worker_views.go`): tables and their MVs get
 * `tombstone_gc = {'mode': 'repair'}` unless already disabled, immediate or repair (never reverted: after the restore
 * only a repair may change it); materialized views and secondary indexes of restored tables are dropped before the
 * data and recreated after it, each awaited until every node reports its build SUCCESS, with a progress row.
 * @module
 */
import type { CqlSession } from "../../clients/cql/session.ts";
import { sleep } from "../../clients/scylla/backoff.ts";
import { viewBuildStatuses } from "../../clients/scylla/restore.ts";
import { initViews } from "../init.ts";
import { tombstoneGcMode } from "../target.ts";
import type { One2OneEnv } from "./env.ts";
import { ONE2ONE_VIEW_PROGRESS_KIND, type One2OneView, type ViewProgressRow, viewRowKey } from "./model.ts";
import type { RunIds } from "./tables.ts";

const q = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The name Scylla builds a view under: an index's backing view is `<index>_index`. */
export const builtViewName = (v: One2OneView) => (v.type === "SecondaryIndex" ? `${v.view}_index` : v.view);

/** Views and indexes of `tables` (`ks.table`) with their create statements. */
export async function viewsOf(tables: ReadonlySet<string>, cql: CqlSession): Promise<One2OneView[]> {
  const byKeyspace = new Map<string, string[]>();
  for (const name of tables) {
    const at = name.indexOf(".");
    const ks = name.slice(0, at);
    byKeyspace.set(ks, [...(byKeyspace.get(ks) ?? []), name.slice(at + 1)]);
  }
  const units = [...byKeyspace].map(([keyspace, ts]) => ({
    keyspace,
    size: 0,
    tables: ts.map((table) => ({ table, tombstone_gc: "", size: 0 })),
  }));
  return initViews(units, cql);
}

async function modeOf(cql: CqlSession, keyspace: string, name: string, view: boolean): Promise<string | undefined> {
  const rs = await cql.execute(
    view
      ? "SELECT extensions FROM system_schema.views WHERE keyspace_name = ? AND view_name = ?"
      : "SELECT extensions FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?",
    [keyspace, name],
    { prepare: true },
  );
  if (rs.rows.length === 0) return undefined;
  const ext = rs.rows[0]?.extensions as Record<string, Buffer | string> | null | undefined;
  const raw = ext?.tombstone_gc;
  return tombstoneGcMode(raw === undefined || raw === null ? undefined : String(raw));
}

/** Sets tombstone_gc `repair` on the tables and the views that exist (skipping disabled/immediate/repair). */
export async function setTombstoneGcRepair(
  env: One2OneEnv,
  cql: CqlSession,
  tables: ReadonlySet<string>,
  views: readonly One2OneView[],
): Promise<void> {
  const targets = [
    ...[...tables].map((n) => ({
      keyspace: n.slice(0, n.indexOf(".")),
      name: n.slice(n.indexOf(".") + 1),
      view: false,
    })),
    // Only MVs: an index is dropped and recreated with its own defaults, and its backing view takes no ALTER.
    ...views
      .filter((v) => v.type === "MaterializedView")
      .map((v) => ({ keyspace: v.keyspace, name: v.view, view: true })),
  ];
  for (const t of targets) {
    const mode = await modeOf(cql, t.keyspace, t.name, t.view);
    if (mode === undefined || mode === "disabled" || mode === "immediate" || mode === "repair") continue;
    env.logger.info(`1-1-restore: tombstone_gc of ${t.keyspace}.${t.name}: ${mode} -> repair`);
    const what = t.view ? "MATERIALIZED VIEW" : "TABLE";
    await cql.execute(`ALTER ${what} ${q(t.keyspace)}.${q(t.name)} WITH tombstone_gc = {'mode': 'repair'}`);
  }
}

/** Drops the views and indexes (`IF EXISTS`: a resumed run may find them gone already). */
export async function dropViews(cql: CqlSession, views: readonly One2OneView[]): Promise<void> {
  for (const v of views) {
    const what = v.type === "SecondaryIndex" ? "INDEX" : "MATERIALIZED VIEW";
    await cql.execute(`DROP ${what} IF EXISTS ${q(v.keyspace)}.${q(v.view)}`);
  }
}

export function initialViewRow(v: One2OneView): ViewProgressRow {
  return {
    started_at: null,
    completed_at: null,
    keyspace_name: v.keyspace,
    table_name: v.base_table,
    view_name: v.view,
    view_type: v.type,
    view_build_status: "UNKNOWN",
    error: "",
  };
}

export async function putViewRows(env: One2OneEnv, run: RunIds, rows: readonly ViewProgressRow[]): Promise<void> {
  if (rows.length === 0) return;
  await env.store.putProgress(
    ONE2ONE_VIEW_PROGRESS_KIND,
    env.clusterId,
    run.taskId,
    run.runId,
    rows.map((r) => ({ key: viewRowKey(r), value: r })),
  );
}

const ORDER = ["UNKNOWN", "STARTED", "SUCCESS"];

/** Recreates each view and waits for its build; the row follows the least advanced node's status. */
export async function recreateViews(
  env: One2OneEnv,
  run: RunIds,
  cql: CqlSession,
  views: readonly One2OneView[],
  signal: AbortSignal,
  onProgress?: () => void,
): Promise<void> {
  for (const v of views) {
    signal.throwIfAborted();
    await cql.execute(v.create_stmt);
    const row: ViewProgressRow = { ...initialViewRow(v), started_at: new Date(env.now()).toISOString() };
    for (;;) {
      signal.throwIfAborted();
      const statuses = [...(await viewBuildStatuses(env.scylla, v.keyspace, builtViewName(v), { signal })).values()];
      const least =
        statuses.length === 0 ? "UNKNOWN" : statuses.reduce((a, b) => (ORDER.indexOf(a) <= ORDER.indexOf(b) ? a : b));
      row.view_build_status = least;
      if (least === "SUCCESS") row.completed_at = new Date(env.now()).toISOString();
      await putViewRows(env, run, [row]);
      env.metrics?.viewBuildStatus(env.clusterId, v.keyspace, v.view, least);
      onProgress?.();
      if (least === "SUCCESS") break;
      await sleep(env.timings.viewPollMs, signal);
    }
  }
}
