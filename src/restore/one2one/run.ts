/**
 * One 1-1 restore run (SM's `Service.One2OneRestore` + `worker.restore`): prepare and check everything, record the
 * initial progress, then — autocompaction off and the agent optionally unpinned, both always undone — tombstone_gc
 * `repair`, drop the views, download and refresh every node's own tables, repair the base tables of secondary
 * indexes (scylladb#16454) and recreate the views.
 *
 * Beyond SM (whose runs always start over): a run of the same task after one that did not finish, for the same
 * snapshot tag, source cluster and mapping, keeps the tables that run already refreshed (their rows are copied, they
 * are neither downloaded nor loaded again: a second refresh of the same files would load the data twice) and
 * recreates the views that run dropped, which are gone from the schema by then.
 * @module
 */

import { setAgentCpuPinned } from "../../clients/agent/pin-cpu.ts";
import { setAutoCompaction } from "../../clients/scylla/restore.ts";
import { ManagerError } from "../../errors.ts";
import type { One2OneEnv } from "./env.ts";
import {
  ONE2ONE_RUN_KIND,
  ONE2ONE_TABLE_PROGRESS_KIND,
  type One2OneRunState,
  type One2OneView,
  type TableProgressRow,
} from "./model.ts";
import { type HostWorkload, type One2OnePlan, prepareOne2One } from "./prepare.ts";
import { initialRow, pairKey, putTableRows, type RunIds, restoreTables } from "./tables.ts";
import { dropViews, initialViewRow, putViewRows, recreateViews, setTombstoneGcRepair, viewsOf } from "./views.ts";

/** Input of {@link runOne2OneRestore}. */
export interface One2OneRunInput {
  taskId: string;
  runId: string;
  properties: unknown;
  signal: AbortSignal;
  hooks?: One2OneHooks;
}

/** What a run reports as it goes. */
export interface One2OneHooks {
  /** The plan is checked (nothing changed in the cluster yet). */
  onPlan?(plan: One2OnePlan): void;
  /** A progress row changed. */
  onProgress?(): void;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

function tablesOf(workload: readonly HostWorkload[]): Set<string> {
  return new Set(workload.flatMap((w) => w.tables.map((t) => `${t.keyspace}.${t.table}`)));
}

/** The latest run of the task before `runId` that did not finish, when this run may resume it. */
async function resumable(
  env: One2OneEnv,
  input: One2OneRunInput,
  state: One2OneRunState,
): Promise<One2OneRunState | undefined> {
  const runs = await env.store.listServiceRuns(ONE2ONE_RUN_KIND, env.clusterId, input.taskId, 0);
  const prev = runs.find((r) => r.runId !== input.runId)?.value as One2OneRunState | undefined;
  if (!prev || prev.done) return undefined;
  const same =
    prev.snapshot_tag === state.snapshot_tag &&
    prev.source_cluster_id === state.source_cluster_id &&
    prev.mapping === state.mapping;
  return same ? prev : undefined;
}

/** Runs one 1-1 restore; resolves when every node's tables are refreshed and the views rebuilt. */
export async function runOne2OneRestore(env: One2OneEnv, input: One2OneRunInput): Promise<One2OneRunState> {
  await env.metrics?.resetCluster(env.clusterId);
  const cql = await env.cql();
  try {
    const plan = await prepareOne2One(env, input.properties, cql);
    input.hooks?.onPlan?.(plan);
    const { target, workload } = plan;
    const run: RunIds = { taskId: input.taskId, runId: input.runId, snapshotTag: target.snapshotTag };
    const state: One2OneRunState = {
      id: input.runId,
      snapshot_tag: target.snapshotTag,
      source_cluster_id: target.sourceClusterId,
      mapping: JSON.stringify(target.nodesMapping),
      views: [],
      done: false,
    };
    const save = () =>
      env.store.putServiceRun(ONE2ONE_RUN_KIND, {
        clusterId: env.clusterId,
        taskId: input.taskId,
        runId: input.runId,
        value: state,
      });
    const prev = await resumable(env, input, state);
    const tables = tablesOf(workload);
    const skip = new Set<string>();
    const kept: TableProgressRow[] = [];
    let views: One2OneView[];
    if (prev) {
      const rows = await env.store.listProgress(ONE2ONE_TABLE_PROGRESS_KIND, env.clusterId, input.taskId, prev.id);
      for (const { value } of rows) {
        const row = value as TableProgressRow | null;
        if (!row?.is_refreshed) continue;
        kept.push(row);
        skip.add(pairKey(row.host, row.keyspace_name, row.table_name));
      }
      views = prev.views;
      env.logger.info(`1-1-restore: resuming run ${prev.id}: ${kept.length} host tables already refreshed`);
    } else {
      views = await viewsOf(tables, cql);
    }
    state.views = views;
    // The rows (with those kept from the resumed run) are stored before the run itself: once this run is recorded,
    // the next one resumes it, so a kill in between must not leave a recorded run without the kept rows.
    await putViewRows(env, run, views.map(initialViewRow));
    await putTableRows(env, run, [
      ...kept,
      ...workload.flatMap((w) =>
        w.tables
          .filter((t) => !skip.has(pairKey(w.host.host, t.keyspace, t.table)))
          .map((t) => initialRow(w.host.host, t)),
      ),
    ]);
    await save();
    env.metrics?.progress(env.clusterId, target.snapshotTag, 0);
    for (const v of views) env.metrics?.viewBuildStatus(env.clusterId, v.keyspace, v.view, "UNKNOWN");
    input.hooks?.onProgress?.();
    const signal = input.signal;
    const pairs = workload.flatMap((w) =>
      w.tables.map((t) => ({ host: w.host.host, keyspace: t.keyspace, table: t.table })),
    );
    const hosts = workload.map((w) => w.host.host);
    try {
      for (const p of pairs) await setAutoCompaction(env.scylla, p.host, p.keyspace, p.table, false, { signal });
      if (target.unpinAgentCpu) {
        await Promise.all(hosts.map((h) => setAgentCpuPinned(env.scylla, h, false, { signal })));
      }
      await setTombstoneGcRepair(env, cql, tables, views);
      if (!prev) {
        // Statements read after the tombstone_gc change, so recreated views keep `repair` (as SM reads them).
        views = await viewsOf(tables, cql);
        state.views = views;
        await save();
      }
      await dropViews(cql, views);
      await restoreTables(env, run, workload, skip, signal, { onProgress: input.hooks?.onProgress });
      env.metrics?.progress(env.clusterId, target.snapshotTag, 100);
      const indexed = [
        ...new Set(views.filter((v) => v.type === "SecondaryIndex").map((v) => `${v.keyspace}.${v.base_table}`)),
      ];
      if (indexed.length > 0) {
        if (env.repair) {
          await env.repair.repair({
            clusterId: env.clusterId,
            taskId: crypto.randomUUID(),
            runId: crypto.randomUUID(),
            tables: indexed,
            signal,
          });
        } else {
          env.logger.warn("1-1-restore: no repair service attached; base tables of indexes are not repaired");
        }
      }
      await recreateViews(env, run, cql, views, signal, input.hooks?.onProgress);
    } finally {
      // Always undo the cluster tweaks, cancelled or not (no signal: these calls must run).
      for (const p of pairs) {
        await setAutoCompaction(env.scylla, p.host, p.keyspace, p.table, true).catch((error: unknown) =>
          env.logger.error(
            `1-1-restore: enable autocompaction of ${p.keyspace}.${p.table} on ${p.host}: ${errorText(error)}`,
          ),
        );
      }
      await Promise.all(
        hosts.map((h) =>
          setAgentCpuPinned(env.scylla, h, true).catch((error: unknown) =>
            env.logger.error(`1-1-restore: re-pin agent CPU on ${h}: ${errorText(error)}`),
          ),
        ),
      );
    }
    state.done = true;
    await save();
    return state;
  } catch (error) {
    if (input.signal.aborted) throw input.signal.reason;
    throw error instanceof Error ? error : new ManagerError(errorText(error));
  } finally {
    await cql.shutdown().catch(() => undefined);
  }
}
