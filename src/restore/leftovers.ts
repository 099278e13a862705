/**
 * What an interrupted run (daemon killed, machine lost) left running, settled before the next run starts. For every
 * batch row of the previous run that is not complete:
 * - a native batch: its Scylla task is awaited (it goes on without us); done ⇒ the row is recorded as restored;
 * - an rclone batch whose download had completed (the kill came during load&stream, whose answer was lost): with
 *   `continue`, the table is loaded again on that host. Scylla answers "Already loading SSTables" while the old load
 *   runs; a finished load left the upload dir empty, an unstarted one left the batch's files there, so either way
 *   each file is loaded once and nothing is downloaded again. The row is then recorded as restored (when that load
 *   fails, e.g. the node is down, the row stays incomplete and the batch is restored again);
 * - an rclone batch still downloading: its agent job is stopped (it would write into the upload dir the next run
 *   cleans and loads) and the row stays incomplete, so the batch is restored again.
 * Rows recorded as restored are cloned into the continued run like any completed batch.
 * A kill between Scylla accepting a native task and the row that names it being stored (one store write, as in SM's
 * `scyllaRestore`) leaves a task no row names: its batch is restored again by the next run. Loading an SSTable
 * twice costs work, not data (the copies hold the same cells, which compaction merges).
 * @module
 */

import { awaitLoadSSTables } from "../clients/scylla/restore.ts";
import { scyllaAbortTask, scyllaWaitTask, taskTime } from "../clients/scylla/task-manager.ts";
import type { RestoreEnv } from "./env.ts";
import { progressRowKey, RESTORE_PROGRESS_KIND, type RestoreProgressRow } from "./model.ts";

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Settles the incomplete batches of run `runId` (see the module comment). */
export async function settleLeftovers(
  env: RestoreEnv,
  input: { taskId: string; runId: string; continue: boolean; signal: AbortSignal },
): Promise<void> {
  const { taskId, runId, signal } = input;
  const rows = await env.store.listProgress(RESTORE_PROGRESS_KIND, env.clusterId, taskId, runId);
  const iso = () => new Date(env.now()).toISOString();
  const complete = async (row: RestoreProgressRow, completedAt: string) => {
    row.restore_completed_at = completedAt;
    row.restored = row.size ?? 0;
    await env.store.putProgress(RESTORE_PROGRESS_KIND, env.clusterId, taskId, runId, [
      { key: progressRowKey(row), value: row },
    ]);
  };
  for (const { value } of rows) {
    const row = value as RestoreProgressRow | null;
    if (!row || row.restore_completed_at || row.host === "") continue;
    signal.throwIfAborted();
    if (row.scylla_task_id) {
      await settleNativeTask(env, row, input.continue, signal, complete, iso);
    } else if (row.download_completed_at && row.size !== undefined && input.continue) {
      env.logger.info(
        `restore: loading ${row.keyspace_name}.${row.table_name} on ${row.host} again (the previous run was interrupted in load&stream)`,
      );
      try {
        await awaitLoadSSTables(
          env.scylla,
          row.host,
          row.keyspace_name,
          row.table_name,
          { loadAndStream: true, primaryReplicaOnly: true },
          { retryMs: env.timings.loadRetryMs, signal },
        );
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        // E.g. the node is down: the batch stays incomplete and is restored again (by any host that may).
        env.logger.error(`restore: load ${row.keyspace_name}.${row.table_name} on ${row.host}: ${errorText(error)}`);
        continue;
      }
      await complete(row, iso());
    } else if (row.agent_job_id !== 0) {
      await stopJob(env, row, signal);
    }
  }
}

async function settleNativeTask(
  env: RestoreEnv,
  row: RestoreProgressRow,
  continueRun: boolean,
  signal: AbortSignal,
  complete: (row: RestoreProgressRow, completedAt: string) => Promise<void>,
  iso: () => string,
): Promise<void> {
  const id = row.scylla_task_id as string;
  if (!continueRun) await scyllaAbortTask(env.scylla, row.host, id).catch(() => undefined);
  for (;;) {
    signal.throwIfAborted();
    const status = await scyllaWaitTask(env.scylla, row.host, id, env.timings.jobPollSeconds, { signal }).catch(
      (error: unknown) => {
        // Gone (node restarted, TTL passed): its outcome is unknown, so the batch is restored again.
        env.logger.info(`restore: native task ${id} of the previous run on ${row.host}: ${errorText(error)}`);
        return undefined;
      },
    );
    if (status === undefined || status.state === "failed") return;
    if (status.state === "done") {
      env.logger.info(`restore: native task ${id} of the previous run on ${row.host} finished: batch restored`);
      await complete(row, taskTime(status.end_time) ?? iso());
      return;
    }
  }
}

async function stopJob(env: RestoreEnv, row: RestoreProgressRow, signal: AbortSignal): Promise<void> {
  await env.rclone.jobStop(row.host, row.agent_job_id).catch(() => undefined);
  for (let i = 0; i < 10; i++) {
    signal.throwIfAborted();
    const job = await env.rclone
      .jobProgress(row.host, row.agent_job_id, env.timings.jobPollSeconds, { signal })
      .catch(() => undefined);
    if (job?.status !== "running") break;
  }
  env.logger.info(`restore: stopped job ${row.agent_job_id} of the previous run on ${row.host}`);
}
