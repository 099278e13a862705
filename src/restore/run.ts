/**
 * One restore run (SM's `Service.Restore`): INIT (target, manifests, the cached pre-restore state), then either the
 * schema restore or the tables stages in order, each recorded in `restore_run` before it starts so a continued run
 * skips what was done. DONE is recorded only after the last stage succeeded.
 * @module
 */

import type { CqlSession } from "../clients/cql/session.ts";
import { viewBuildStatuses } from "../clients/scylla/restore.ts";
import { ManagerError } from "../errors.ts";
import { type DataStageHooks, type RunRef, restoreData } from "./data-stage.ts";
import type { RestoreEnv } from "./env.ts";
import { initUnits, initViews, type ResolvedTarget, resolveTarget } from "./init.ts";
import { settleLeftovers } from "./leftovers.ts";
import {
  parseRestoreProperties,
  RESTORE_PROGRESS_KIND,
  RESTORE_RUN_KIND,
  type RestoreProgressRow,
  type RestoreRunState,
  type RestoreTarget,
  type RestoreUnit,
  type RestoreView,
} from "./model.ts";
import { restoreSchema } from "./schema.ts";
import { type RestoreStage, stagesToRun } from "./stage.ts";

/** Input of {@link runRestore}. */
export interface RestoreRunInput {
  taskId: string;
  runId: string;
  properties: unknown;
  signal: AbortSignal;
  hooks?: RestoreHooks;
}

/** What a run reports as it goes. */
export interface RestoreHooks extends DataStageHooks {
  onStage?(stage: RestoreStage): void;
}

const q = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The latest `restore_run` of the task other than `runId`, if any. */
async function previousRun(env: RestoreEnv, taskId: string, runId: string): Promise<RestoreRunState | undefined> {
  const runs = await env.store.listServiceRuns(RESTORE_RUN_KIND, env.clusterId, taskId, 0);
  return runs.find((r) => r.runId !== runId)?.value as RestoreRunState | undefined;
}

/** Copies the previous run's completed batch rows into this run (a resume never downloads them again). */
async function cloneCompletedRows(env: RestoreEnv, taskId: string, prevId: string, runId: string): Promise<void> {
  const rows = await env.store.listProgress(RESTORE_PROGRESS_KIND, env.clusterId, taskId, prevId);
  const done = rows.filter((r) => (r.value as RestoreProgressRow | null)?.restore_completed_at);
  if (done.length > 0) await env.store.putProgress(RESTORE_PROGRESS_KIND, env.clusterId, taskId, runId, done);
}

/** Resolves the target and the run's initial state (what `GET .../target` and a run's INIT both do). */
export async function initRun(
  env: RestoreEnv,
  input: { taskId: string; runId: string; properties: unknown },
  cql: CqlSession,
): Promise<{ target: RestoreTarget; resolved: ResolvedTarget; state: RestoreRunState; unfinished?: RestoreRunState }> {
  const target = parseRestoreProperties(input.properties);
  const resolved = await resolveTarget(env, target, cql);
  const state: RestoreRunState = {
    id: input.runId,
    prev_id: "",
    snapshot_tag: target.snapshotTag,
    stage: "INIT",
    repair_task_id: "",
    units: [],
    views: [],
  };
  const prev = input.taskId === "" ? undefined : await previousRun(env, input.taskId, input.runId);
  if (prev && prev.stage !== "DONE") {
    // The cache holds pre-restore state (tombstone_gc modes, dropped views): always reuse it, even with continue=false.
    state.units = prev.units;
    state.views = prev.views;
    if (target.continue) {
      state.prev_id = prev.id;
      state.stage = prev.stage;
      state.repair_task_id = prev.repair_task_id;
    }
  }
  if (state.units.length === 0) {
    state.units = await initUnits(env, resolved, cql);
    state.views = target.restoreTables ? await initViews(state.units, cql) : [];
  }
  return { target, resolved, state, unfinished: prev && prev.stage !== "DONE" ? prev : undefined };
}

/** Runs one restore. Resolves on DONE; throws with what failed (the run's state says where it stopped). */
export async function runRestore(env: RestoreEnv, input: RestoreRunInput): Promise<RestoreRunState> {
  const cql = await env.cql();
  try {
    const { target, resolved, state, unfinished } = await initRun(env, input, cql);
    if (unfinished) {
      await settleLeftovers(env, {
        taskId: input.taskId,
        runId: unfinished.id,
        continue: target.continue,
        signal: input.signal,
      });
    }
    const save = () =>
      env.store.putServiceRun(RESTORE_RUN_KIND, {
        clusterId: env.clusterId,
        taskId: input.taskId,
        runId: input.runId,
        value: state,
      });
    // Completed rows are copied before this run is first recorded: once recorded, it is the run the next one
    // resumes, so a kill in between must not leave a recorded run without them.
    if (state.prev_id !== "") {
      await cloneCompletedRows(env, input.taskId, state.prev_id, input.runId);
      const tables = await env.scylla.tables();
      for (const u of state.units) {
        for (const t of u.tables) {
          if (!(tables.get(u.keyspace) ?? []).includes(t.table)) {
            throw new ManagerError(`table ${u.keyspace}.${t.table} not found`);
          }
        }
      }
    }
    await save();
    const run: RunRef = { taskId: input.taskId, runId: input.runId, snapshotTag: target.snapshotTag };
    if (target.restoreSchema) {
      state.stage = "DATA";
      await save();
      input.hooks?.onStage?.("DATA");
      await restoreSchema(env, { resolved, units: state.units, run, cql, signal: input.signal });
    } else {
      for (const stage of stagesToRun(state.stage)) {
        input.signal.throwIfAborted();
        state.stage = stage;
        await save();
        input.hooks?.onStage?.(stage);
        env.logger.info(`restore: stage ${stage}`);
        await runStage(env, stage, { resolved, state, run, cql, signal: input.signal, hooks: input.hooks, save });
      }
    }
    state.stage = "DONE";
    await save();
    input.hooks?.onStage?.("DONE");
    return state;
  } finally {
    await cql.shutdown().catch(() => undefined);
  }
}

interface StageInput {
  resolved: ResolvedTarget;
  state: RestoreRunState;
  run: RunRef;
  cql: CqlSession;
  signal: AbortSignal;
  hooks?: RestoreHooks;
  save(): Promise<void>;
}

async function runStage(env: RestoreEnv, stage: RestoreStage, s: StageInput): Promise<void> {
  const { state, cql } = s;
  switch (stage) {
    case "DROP_VIEWS":
      for (const view of state.views) {
        const what = view.type === "SecondaryIndex" ? "INDEX" : "MATERIALIZED VIEW";
        await cql.execute(`DROP ${what} IF EXISTS ${q(view.keyspace)}.${q(view.view)}`);
      }
      return;
    case "DISABLE_TGC":
      await alterTombstoneGc(cql, state.units, () => "disabled");
      return;
    case "DATA":
      await restoreData(env, { resolved: s.resolved, units: state.units, run: s.run, cql, signal: s.signal }, s.hooks);
      return;
    case "REPAIR":
      await repairStage(env, s);
      return;
    case "ENABLE_TGC":
      await alterTombstoneGc(cql, state.units, (t) => t.tombstone_gc || "timeout");
      return;
    case "RECREATE_VIEWS":
      await recreateViews(env, s);
      return;
    default:
      return;
  }
}

async function alterTombstoneGc(
  cql: CqlSession,
  units: readonly RestoreUnit[],
  mode: (t: RestoreUnit["tables"][number]) => string,
): Promise<void> {
  for (const u of units) {
    for (const t of u.tables) {
      await cql.execute(`ALTER TABLE ${q(u.keyspace)}.${q(t.table)} WITH tombstone_gc = {'mode': '${mode(t)}'}`);
    }
  }
}

async function repairStage(env: RestoreEnv, s: StageInput): Promise<void> {
  const tables = s.state.units.flatMap((u) => u.tables.map((t) => `${u.keyspace}.${t.table}`));
  if (!env.repair) {
    env.logger.warn("restore: no repair service attached; the post-restore repair stage is skipped");
    return;
  }
  if (s.state.repair_task_id === "") {
    s.state.repair_task_id = crypto.randomUUID();
    await s.save();
  }
  await env.repair.repair({
    clusterId: env.clusterId,
    taskId: s.state.repair_task_id,
    runId: crypto.randomUUID(),
    tables,
    signal: s.signal,
  });
}

/** View of an index in `view_build_statuses`: `<index>_index`. */
function buildStatusName(view: RestoreView): string {
  return view.type === "SecondaryIndex" ? `${view.view}_index` : view.view;
}

async function recreateViews(env: RestoreEnv, s: StageInput): Promise<void> {
  for (const view of s.state.views) await s.cql.execute(view.create_stmt);
  const order = ["UNKNOWN", "STARTED", "SUCCESS"];
  for (const view of s.state.views) {
    for (;;) {
      s.signal.throwIfAborted();
      const statuses = await viewBuildStatuses(env.scylla, view.keyspace, buildStatusName(view), {
        signal: s.signal,
      }).catch((error: unknown) => {
        env.restoreMetrics?.setViewBuildStatus(env.clusterId, view.keyspace, view.view, "ERROR");
        throw error;
      });
      const values = [...statuses.values()];
      const min =
        values.length === 0 ? "UNKNOWN" : values.reduce((a, b) => (order.indexOf(a) <= order.indexOf(b) ? a : b));
      view.status = min;
      env.restoreMetrics?.setViewBuildStatus(env.clusterId, view.keyspace, view.view, min);
      await s.save();
      if (min === "SUCCESS") break;
      await new Promise((resolve) => setTimeout(resolve, env.timings.viewPollMs));
    }
  }
}
