/**
 * Runs one job against Scylla (SM's `worker.go`): vnode jobs with `repair_async` on the master and a blocking
 * `repair_status`; tablet tables with `tablets/repair` and `task_manager/wait_task` (408 ⇒ `task_status`), aborting
 * the task when the wait fails; skip jobs do nothing. A failure on a table that no longer exists is a success
 * (the table was dropped mid-repair).
 * @module
 */
import type { ScyllaClient } from "../clients/scylla/client.ts";
import { abortTask, COLOCATED, repairAsync, repairStatus, tabletRepair, waitTask } from "../clients/scylla/repair.ts";
import { ManagerError } from "../errors.ts";
import type { Job } from "./schedule.ts";

/** How a job ended. */
export type JobOutcome =
  | { ok: true; deleted?: boolean }
  /** `gone`: tables of a shared job dropped meanwhile (the failure may be theirs; the others are retried). */
  | { ok: false; error: Error; gone?: string[] };

/** What the worker needs besides the job. */
export interface WorkerContext {
  client: ScyllaClient;
  /** Aborts pending waits (the graceful-stop deadline). */
  signal: AbortSignal;
  /** `repair.status_timeout`, ms; 0 = none. */
  statusTimeoutMs: number;
  /** Selected DCs (`dcs_filter` of tablet jobs). */
  dcs: readonly string[];
  /** Host IDs of the UP nodes when some hosts are ignored (`hosts_filter`), else undefined. */
  tabletHostIds?: readonly string[];
  incrementalMode: string;
  /** Tables of the target (`ks.table`), for colocated tablet tables. */
  targetTables: ReadonlySet<string>;
  /** Tables already checked after an unexpected RUNNING status. */
  stopTrying: Set<string>;
}

/** Tables of the job that no longer exist (none when the check itself fails). */
async function goneTables(ctx: WorkerContext, job: Job): Promise<string[]> {
  try {
    const tables = await ctx.client.tables({ host: job.master, interactive: true });
    const present = tables.get(job.keyspace) ?? [];
    return job.tables.map((w) => w.table).filter((t) => !present.includes(t));
  } catch {
    return [];
  }
}

async function waitGone(ctx: WorkerContext, job: Job): Promise<boolean> {
  let wait = 50;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if ((await goneTables(ctx, job)).length > 0) return true;
    await new Promise((r) => setTimeout(r, wait * (0.8 + 0.4 * Math.random())));
    wait = Math.min(1000, wait * 2);
  }
  return false;
}

async function runVnode(ctx: WorkerContext, job: Job): Promise<{ id: string }> {
  const id = await repairAsync(
    ctx.client,
    {
      keyspace: job.keyspace,
      tables: job.tables.map((w) => w.table),
      master: job.master,
      hosts: job.hosts,
      ranges: job.kind === "small" ? [] : job.ranges,
      intensity: job.intensity,
      smallTable: job.kind === "small",
    },
    { signal: ctx.signal },
  );
  const status = await repairStatus(ctx.client, job.master, id, {
    signal: ctx.signal,
    timeoutMs: ctx.statusTimeoutMs,
  });
  if (status === "FAILED") throw new JobError(`status FAILED`, String(id));
  if (status === "RUNNING") {
    const key = `${job.keyspace}.${job.tables.map((w) => w.table).join(",")}`;
    if (!ctx.stopTrying.has(key)) {
      if (await waitGone(ctx, job)) throw new TableDeleted();
      ctx.stopTrying.add(key);
    }
    throw new JobError("status RUNNING", String(id));
  }
  return { id: String(id) };
}

async function runTablet(ctx: WorkerContext, job: Job): Promise<void> {
  let id: string;
  try {
    id = await tabletRepair(
      ctx.client,
      {
        keyspace: job.keyspace,
        table: tableOf(job),
        master: job.master,
        dcs: ctx.dcs,
        ...(ctx.tabletHostIds === undefined ? {} : { hostIds: ctx.tabletHostIds }),
        incrementalMode: ctx.incrementalMode,
      },
      { signal: ctx.signal },
    );
  } catch (error) {
    const m = COLOCATED.exec((error as Error).message);
    if (m) {
      if (ctx.targetTables.has(`${m[1]}.${m[2]}`)) return;
      throw new ManagerError(
        `base table ${m[1]}.${m[2]} is not repaired, use --keyspace to include it: ${(error as Error).message}`,
      );
    }
    throw error;
  }
  let state: string;
  try {
    state = (await waitTask(ctx.client, id, { host: job.master, signal: ctx.signal })).state;
  } catch (error) {
    await abortTask(ctx.client, id, { host: job.master, interactive: true }).catch(() => undefined);
    throw new JobError((error as Error).message, id);
  }
  if (state === "done") return;
  if (state !== "failed")
    await abortTask(ctx.client, id, { host: job.master, interactive: true }).catch(() => undefined);
  throw new JobError(`task state ${state}`, id);
}

class JobError extends Error {
  constructor(
    message: string,
    readonly command: string,
  ) {
    super(message);
  }
}

class TableDeleted extends Error {}

/** The table of a single-table job (tablet jobs are). */
const tableOf = (job: Job): string => job.tables[0]?.table ?? "";

/** Runs a job; never throws. */
export async function runJob(ctx: WorkerContext, job: Job): Promise<JobOutcome> {
  if (job.kind === "skip") return { ok: true };
  const all = job.tables.map((w) => w.table);
  try {
    if (job.kind === "tablet") await runTablet(ctx, job);
    else await runVnode(ctx, job);
    return { ok: true };
  } catch (error) {
    const gone = error instanceof TableDeleted || !ctx.signal.aborted ? await goneTables(ctx, job) : [];
    // Every table gone: the job's work is done (SM: a table dropped mid-repair is success).
    if (gone.length === all.length) return { ok: true, deleted: true };
    const command = error instanceof JobError ? error.command : "";
    const text = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      ...(gone.length > 0 ? { gone } : {}),
      error: new ManagerError(
        `master ${job.master} keyspace ${job.keyspace} table ${all.join(",")}${command ? ` command ${command}` : ""}: ${text}`,
        { cause: error },
      ),
    };
  }
}
