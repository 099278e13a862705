/**
 * `core/*` and `job/*` calls: global transfer knobs, stats groups, and async job status.
 * @module
 */
import { setTimeout as sleep } from "node:timers/promises";
import { formatRate, parseRate } from "../../transfer/bwlimit.ts";
import type { CallEnv, CallSpec } from "../context.ts";
import { badParam, messageOf, RcError } from "../errors.ts";
import type { Job } from "../jobs.ts";

/** Go's zero time, which SM sees for unset job times. */
const ZERO_TIME = "0001-01-01T00:00:00Z";

async function bwlimit(env: CallEnv): Promise<Record<string, unknown>> {
  if (env.params.has("rate")) {
    try {
      env.ctx.limiter.setRate(parseRate(env.params.string("rate")));
    } catch (error) {
      throw badParam(messageOf(error));
    }
  }
  const rate = env.ctx.limiter.rate;
  return {
    bytesPerSecond: rate > 0 ? rate : -1,
    bytesPerSecondRx: rate > 0 ? rate : -1,
    bytesPerSecondTx: rate > 0 ? rate : -1,
    rate: formatRate(rate),
  };
}

async function transfers(env: CallEnv): Promise<Record<string, unknown>> {
  const n = env.params.int("transfers");
  if (n !== undefined) {
    if (n === -1) env.ctx.pool.setLimit(env.ctx.defaultTransfers);
    else if (n > 0) env.ctx.pool.setLimit(n);
    else throw badParam(`transfers must be a positive number or -1 (the agent's default), got ${n}`);
  }
  return { transfers: env.ctx.pool.limit };
}

async function statsDelete(env: CallEnv): Promise<Record<string, unknown>> {
  env.ctx.stats.delete(env.params.string("group"));
  return {};
}

async function statsReset(env: CallEnv): Promise<Record<string, unknown>> {
  env.ctx.stats.reset(env.params.optionalString("group"));
  return {};
}

/** Looks a job up; unknown (expired, or from before an agent restart) is 404, which SM reads as `not_found`. */
function findJob(env: CallEnv): Job {
  const id = env.params.requiredInt("jobid");
  const job = env.ctx.jobs.get(id);
  if (job === undefined) throw new RcError(404, `job not found: ${id}`);
  return job;
}

/** Long poll: returns when the job ends or after `wait` seconds, whichever comes first. */
async function waitFor(env: CallEnv, job: Job): Promise<void> {
  const wait = env.params.int("wait") ?? 0;
  if (wait <= 0 || job.finished) return;
  const timer = new AbortController();
  const onAbort = () => timer.abort();
  env.signal.addEventListener("abort", onAbort, { once: true });
  try {
    await Promise.race([job.done, sleep(wait * 1000, undefined, { signal: timer.signal }).catch(() => {})]);
  } finally {
    timer.abort();
    env.signal.removeEventListener("abort", onAbort);
  }
}

async function progress(env: CallEnv): Promise<Record<string, unknown>> {
  const job = findJob(env);
  await waitFor(env, job);
  const stats = env.ctx.stats.peek(job.group);
  return {
    status: !job.finished ? "running" : job.success ? "success" : "error",
    started_at: job.startTime.toISOString(),
    completed_at: job.endTime?.toISOString() ?? ZERO_TIME,
    error: job.error,
    uploaded: stats.uploadedBytes,
    skipped: stats.skippedBytes,
    failed: stats.failedBytes,
  };
}

async function info(env: CallEnv): Promise<Record<string, unknown>> {
  const job = findJob(env);
  await waitFor(env, job);
  const stats = env.ctx.stats.peek(job.group);
  const end = job.endTime ?? new Date();
  return {
    job: {
      id: job.id,
      group: job.group,
      startTime: job.startTime.toISOString(),
      endTime: job.endTime?.toISOString() ?? ZERO_TIME,
      finished: job.finished,
      success: job.success,
      error: job.error,
      duration: (end.getTime() - job.startTime.getTime()) / 1000,
      output: job.output,
    },
    stats: stats.toJSON(),
    transferred: stats.transferred,
  };
}

async function stop(env: CallEnv): Promise<Record<string, unknown>> {
  const job = findJob(env);
  if (!job.finished) job.controller.abort(new Error("job stopped"));
  return {};
}

export const CORE_CALLS: Record<string, CallSpec> = {
  "core/bwlimit": { handler: bwlimit },
  "core/transfers": { handler: transfers },
  "core/stats-delete": { handler: statsDelete },
  "core/stats-reset": { handler: statsReset },
  "job/info": { handler: info },
  "job/progress": { handler: progress },
  "job/stop": { handler: stop },
};
