/**
 * Native upload tasks an interrupted attempt of the run left behind without a name, settled when the run resumes in
 * UPLOAD, before INDEX lists the snapshot dirs and before any upload of them starts.
 *
 * A kill (or a lost answer) between Scylla accepting `POST /storage_service/backup` and the progress row that names
 * the task (`scylla_task_id`) being stored leaves a task that goes on moving the dir's files to the bucket
 * (`move_files=true`) with no row naming it. Another upload of that dir would race it: files move away from under
 * one of the two (which then fails), or both write the same objects.
 *
 * Scylla files a backup task under task manager module `snapshot`, type `backup`, and names its keyspace only: table
 * and entity are empty and neither the snapshot tag, the bucket nor the prefix is reported (`db/snapshot/
 * backup_task.cc`, `snapshot-ctl.cc`). So a listed task cannot be tied to one dir, and its id is not saved on a row:
 * which row would be a guess, and a wrong guess would mark done a dir whose files were never uploaded. Instead every
 * created or running `backup` task of a backed-up keyspace on a host of the run that no row names is waited for until
 * it ends (finished ones need nothing). INDEX then sees what it left, which decides: a dir it emptied is done without
 * another upload (what it moved counts as skipped, as for any earlier attempt's upload), a dir it left files in (it
 * failed or was aborted, or it was another table's) has the rest uploaded by one new task. Such a task is never
 * aborted: it may be someone else's (e.g. a `nodetool backup` of the same keyspace), which costs this run time only.
 *
 * Listing unavailable (the node has no `snapshot` module, e.g. a Scylla before the native backup API, or the call
 * fails): the run goes on as before this check, which loses no data. Scylla deletes a snapshot file only once its
 * upload succeeded, so each file is in the dir or in the bucket; two tasks write the same bytes under the same key;
 * a task that finds a file gone fails, the run fails and its next attempt uploads what is left; a dir is done only when
 * a task that listed the dir uploaded everything it found there.
 * A fresh run (not resumed) has a new snapshot tag, so no unnamed task can be moving its dirs' files.
 * @module
 */
import { type ModuleTaskStats, scyllaListModuleTasks, scyllaWaitTask } from "../clients/scylla/task-manager.ts";
import { errorMessage } from "../errors.ts";
import type { RunProgress } from "./model.ts";
import type { HostInfo, RunEnv } from "./worker.ts";

/** Scylla's task manager module and task type of a native backup. */
export const BACKUP_TASK_MODULE = "snapshot";
export const BACKUP_TASK_TYPE = "backup";

const LIVE_STATES = new Set(["created", "running"]);

/** The listed tasks to wait for: live `backup` tasks of `keyspaces` whose id no row names. Pure. */
export function unnamedBackupTasks(
  tasks: readonly ModuleTaskStats[],
  named: ReadonlySet<string>,
  keyspaces: ReadonlySet<string>,
): ModuleTaskStats[] {
  return tasks.filter(
    (t) =>
      t.type === BACKUP_TASK_TYPE && LIVE_STATES.has(t.state) && keyspaces.has(t.keyspace) && !named.has(t.task_id),
  );
}

/** Waits, on every host of the run, for the native upload tasks no progress row names (see the module comment). */
export async function settleUnnamedTasks(env: RunEnv, rows: Iterable<RunProgress>): Promise<void> {
  const named = new Set<string>();
  for (const row of rows) if (row.scylla_task_id) named.add(row.scylla_task_id);
  const keyspaces = new Set(env.units.map((u) => u.keyspace));
  await Promise.all(env.hosts.map((h) => settleHost(env, h, named, keyspaces)));
}

async function settleHost(
  env: RunEnv,
  h: HostInfo,
  named: ReadonlySet<string>,
  keyspaces: ReadonlySet<string>,
): Promise<void> {
  const scylla = env.cluster.scylla;
  let tasks: ModuleTaskStats[];
  try {
    tasks = await scyllaListModuleTasks(scylla, h.ip, BACKUP_TASK_MODULE, {}, { signal: env.signal });
  } catch (error) {
    if (env.signal.aborted) throw env.signal.reason;
    env.logger.info(
      "backup: cannot list Scylla's backup tasks, an unnamed task of an earlier attempt is not waited for",
      {
        host: h.ip,
        error: errorMessage(error),
      },
    );
    return;
  }
  const unnamed = unnamedBackupTasks(tasks, named, keyspaces);
  // All named first, then waited for one after the other (each ends on its own).
  for (const task of unnamed) {
    env.logger.info("backup: waiting for a native upload task no progress row names (an earlier attempt's)", {
      host: h.ip,
      keyspace: task.keyspace,
      task: task.task_id,
    });
  }
  for (const task of unnamed) {
    for (;;) {
      env.signal.throwIfAborted();
      const status = await scyllaWaitTask(scylla, h.ip, task.task_id, env.config.longPollingTimeoutSeconds, {
        signal: env.signal,
      }).catch((error: unknown) => {
        if (env.signal.aborted) throw env.signal.reason;
        // Gone (node restarted, TTL passed) or unreachable: as without the listing, which loses no data.
        env.logger.info("backup: unnamed native upload task gone", {
          host: h.ip,
          task: task.task_id,
          error: errorMessage(error),
        });
        return undefined;
      });
      if (status === undefined) break;
      if (!LIVE_STATES.has(status.state)) {
        env.logger.info("backup: unnamed native upload task ended", {
          host: h.ip,
          task: task.task_id,
          state: status.state,
          ...(status.error ? { error: status.error } : {}),
        });
        break;
      }
    }
  }
}
