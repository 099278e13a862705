/**
 * rclone-style async jobs (`_async=true`): ids start at the agent's start time in unix seconds, so ids never
 * collide across agent restarts (SM persists them and later "attaches"); finished jobs expire after 12 h.
 * @module
 */

/** One async call. */
export interface Job {
  id: number;
  /** Stats group: `job/<id>`. */
  group: string;
  startTime: Date;
  endTime: Date | undefined;
  finished: boolean;
  success: boolean;
  error: string;
  output: unknown;
  /** Aborted by `job/stop` and on agent shutdown. */
  controller: AbortController;
  /** Settles when the job ends (never rejects). */
  done: Promise<void>;
}

/** SM's `JobExpireDuration`. */
export const JOB_EXPIRE_MS = 12 * 3600 * 1000;

/** The agent's job table. */
export class JobRegistry {
  readonly #jobs = new Map<number, Job>();
  #nextId: number;
  readonly #sweep: ReturnType<typeof setInterval>;
  readonly #expireMs: number;

  constructor(options: { startTime?: Date; expireMs?: number } = {}) {
    this.#nextId = Math.floor((options.startTime ?? new Date()).getTime() / 1000);
    this.#expireMs = options.expireMs ?? JOB_EXPIRE_MS;
    this.#sweep = setInterval(() => this.expire(), 60_000);
    this.#sweep.unref?.();
  }

  /** Starts `run` as a job and returns it at once. */
  start(run: (signal: AbortSignal, group: string) => Promise<unknown>): Job {
    const id = this.#nextId++;
    const controller = new AbortController();
    const job: Job = {
      id,
      group: `job/${id}`,
      startTime: new Date(),
      endTime: undefined,
      finished: false,
      success: false,
      error: "",
      output: null,
      controller,
      done: Promise.resolve(),
    };
    job.done = (async () => {
      try {
        job.output = (await run(controller.signal, job.group)) ?? {};
        job.success = !controller.signal.aborted;
        if (controller.signal.aborted) job.error = "job stopped";
      } catch (error) {
        job.error = controller.signal.aborted ? `job stopped: ${(error as Error).message}` : (error as Error).message;
      } finally {
        job.endTime = new Date();
        job.finished = true;
      }
    })();
    this.#jobs.set(id, job);
    return job;
  }

  get(id: number): Job | undefined {
    return this.#jobs.get(id);
  }

  /** Removes finished jobs older than the expiry. */
  expire(now = Date.now()): void {
    for (const [id, job] of this.#jobs) {
      if (job.finished && job.endTime !== undefined && now - job.endTime.getTime() > this.#expireMs)
        this.#jobs.delete(id);
    }
  }

  /** Stops every running job and the expiry timer; waits for the jobs to settle. */
  async close(): Promise<void> {
    clearInterval(this.#sweep);
    const running = [...this.#jobs.values()].filter((job) => !job.finished);
    for (const job of running) job.controller.abort(new Error("agent shutting down"));
    await Promise.all(running.map((job) => job.done));
  }
}
