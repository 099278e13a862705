/**
 * Modelled-time simulation of a schedule: runs the {@link JobScheduler} against a job-duration model (no I/O) and
 * reports the makespan, the lower bound (the busiest node's total job time) and utilisation figures. Used by the
 * property tests (our schedule vs table-by-table) and by the plan to pick the shorter of the two.
 * @module
 */
import type { TablePlan } from "./plan.ts";
import { type Job, JobScheduler, type ScheduleOptions } from "./schedule.ts";

/** Figures of one simulated (or measured) schedule. */
export interface ScheduleFigures {
  makespan: number;
  lowerBound: number;
  totalJobTime: number;
  jobs: number;
  /** Mean node utilisation (busy time / makespan over nodes), 0..1. */
  utilisation: number;
  /** Mean number of jobs running. */
  meanConcurrency: number;
  /** Time with no job running. */
  idle: number;
}

/** One executed job: interval and hosts (for figures from a simulation or a ledger). */
export interface JobInterval {
  start: number;
  end: number;
  hosts: readonly string[];
}

/** Figures from executed jobs; `hosts` lists every node (idle ones count in the utilisation). */
export function figuresOf(jobs: readonly JobInterval[], hosts: readonly string[]): ScheduleFigures {
  if (jobs.length === 0) {
    return { makespan: 0, lowerBound: 0, totalJobTime: 0, jobs: 0, utilisation: 0, meanConcurrency: 0, idle: 0 };
  }
  const t0 = Math.min(...jobs.map((j) => j.start));
  const t1 = Math.max(...jobs.map((j) => j.end));
  const makespan = t1 - t0;
  const perHost = new Map<string, number>(hosts.map((h) => [h, 0]));
  let total = 0;
  for (const j of jobs) {
    const d = j.end - j.start;
    total += d;
    for (const h of j.hosts) perHost.set(h, (perHost.get(h) ?? 0) + d);
  }
  const lowerBound = Math.max(0, ...perHost.values());
  const busySum = [...perHost.values()].reduce((a, b) => a + b, 0);
  // Idle time: sweep over start/end events.
  const events = jobs.flatMap((j) => [
    { t: j.start, d: 1 },
    { t: j.end, d: -1 },
  ]);
  events.sort((a, b) => a.t - b.t || a.d - b.d);
  let running = 0;
  let idle = 0;
  let last = t0;
  for (const e of events) {
    if (running === 0) idle += e.t - last;
    running += e.d;
    last = e.t;
  }
  return {
    makespan,
    lowerBound,
    totalJobTime: total,
    jobs: jobs.length,
    utilisation: makespan > 0 ? busySum / (makespan * Math.max(1, perHost.size)) : 0,
    meanConcurrency: makespan > 0 ? total / makespan : 0,
    idle,
  };
}

/** Duration of a job in modelled seconds (default: its estimated cost at `bandwidth` bytes/s, skip jobs 0). */
export type DurationModel = (job: Job) => number;

/** Runs a schedule in modelled time; returns the figures and the executed jobs. */
export function simulateSchedule(
  tables: readonly TablePlan[],
  options: ScheduleOptions,
  duration: DurationModel,
  hosts: readonly string[],
): ScheduleFigures & { executed: Array<JobInterval & { job: Job }> } {
  const scheduler = new JobScheduler(tables, options);
  const running: Array<{ end: number; job: Job; start: number }> = [];
  const executed: Array<JobInterval & { job: Job }> = [];
  let now = 0;
  for (let guard = 0; guard < 10_000_000; guard++) {
    for (const job of scheduler.next()) running.push({ start: now, end: now + Math.max(0, duration(job)), job });
    if (running.length === 0) break;
    let at = 0;
    for (let i = 1; i < running.length; i++) if ((running[i]?.end ?? 0) < (running[at]?.end ?? 0)) at = i;
    const [r] = running.splice(at, 1);
    if (r === undefined) break;
    now = r.end;
    executed.push({ start: r.start, end: r.end, hosts: r.job.participants, job: r.job });
    scheduler.finish(r.job);
    if (scheduler.done) break;
  }
  const real = executed.filter((e) => e.job.kind !== "skip");
  return { ...figuresOf(real, hosts), executed };
}

/**
 * Modelled seconds of a job at `bandwidth` bytes/s per node: ranges in parallel vs shards, as the nodes share
 * work; plus `overhead` seconds per job (starting it and learning that it ended: REST round trips).
 */
export function modelDuration(bandwidth: number, shards: ReadonlyMap<string, number>, overhead = 0): DurationModel {
  return (job) => {
    if (job.kind === "skip") return 0;
    const s = Math.max(1, ...job.participants.map((h) => shards.get(h) ?? 1));
    const parallel = job.kind === "normal" ? Math.min(job.intensity, s, Math.max(1, job.ranges.length)) : s;
    return (job.cost * s) / parallel / bandwidth + overhead;
  };
}

/** Per-job overhead the run's schedule choice assumes, seconds (two REST round trips through an agent). */
export const JOB_OVERHEAD_SECONDS = 0.05;

/** Largest Σ(replica sets²) over tables for which {@link chooseStrategy} simulates both schedules. */
export const CHOICE_BUDGET = 5_000_000;

/**
 * The schedule a `precedence` run uses: our packing, unless SM's table-by-table order is shorter in modelled
 * time for this plan (greedy packing is a heuristic; this keeps ours never longer than SM's on the model).
 */
export function chooseStrategy(
  tables: readonly TablePlan[],
  options: ScheduleOptions,
  duration: DurationModel,
  hosts: readonly string[],
): { strategy: ScheduleOptions["strategy"]; precedence: number; tableByTable: number } {
  // SM's first-fit rescans a table's replica sets for every job: past this much work the check would cost more
  // planning time than it can save, so such plans run our schedule unchecked.
  const work = tables.reduce((sum, t) => sum + t.sets.length * t.sets.length, 0);
  if (work > CHOICE_BUDGET) return { strategy: "precedence", precedence: Number.NaN, tableByTable: Number.NaN };
  const ours = simulateSchedule(tables, { ...options, strategy: "precedence" }, duration, hosts).makespan;
  const sm = simulateSchedule(tables, { ...options, strategy: "table-by-table" }, duration, hosts).makespan;
  // A tie (floating-point noise) keeps ours.
  return { strategy: sm < ours * (1 - 1e-9) ? "table-by-table" : "precedence", precedence: ours, tableByTable: sm };
}
