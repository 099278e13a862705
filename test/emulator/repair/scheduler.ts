/**
 * Modelled repair work shared by the nodes of a cluster. Each node has a repair bandwidth (bytes per modelled
 * second); a job streams its bytes at the bandwidth of its slowest participant divided by the number of jobs that
 * participant takes part in, so concurrent repairs on a node slow each other as Scylla's shared resources do.
 * Progress advances in small real-time ticks; modelled time = real time / timeScale.
 * @module
 */
import type { ClusterState } from "../node-context.ts";

/** Default per-node repair bandwidth: 64 MiB per modelled second. */
export const DEFAULT_REPAIR_BANDWIDTH = 64 * 1024 * 1024;
const TICK_MS = 10;

/** A job to run. */
export interface ModelledJob {
  /** Participating nodes (IPs). */
  hosts: readonly string[];
  bytes: number;
  /** Share of a node's bandwidth the job can use alone, in (0, 1] (ranges in parallel vs shards). */
  parallelism: number;
  signal?: AbortSignal;
}

/** Why a job stopped early. */
export class JobInterrupted extends Error {
  override name = "JobInterrupted";
  constructor(
    readonly reason: "aborted" | "node_down",
    readonly downNodes: string[] = [],
  ) {
    super(reason === "aborted" ? "aborted" : `nodes down: ${downNodes.join(", ")}`);
  }
}

interface Running {
  job: ModelledJob;
  remaining: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** The cluster-wide scheduler of modelled repair work. */
export class RepairScheduler {
  readonly #cluster: ClusterState;
  readonly #running = new Set<Running>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #last = 0;
  /** Bytes per modelled second per node. */
  bandwidth = DEFAULT_REPAIR_BANDWIDTH;

  constructor(cluster: ClusterState) {
    this.#cluster = cluster;
  }

  /** Number of running jobs each node takes part in. */
  load(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of this.#running) for (const h of r.job.hosts) counts.set(h, (counts.get(h) ?? 0) + 1);
    return counts;
  }

  /** Runs a job to completion; rejects with JobInterrupted when aborted or a participant goes down. */
  run(job: ModelledJob): Promise<void> {
    return new Promise((resolve, reject) => {
      if (job.signal?.aborted) {
        reject(new JobInterrupted("aborted"));
        return;
      }
      const down = this.#down(job.hosts);
      if (down.length > 0) {
        reject(new JobInterrupted("node_down", down));
        return;
      }
      if (job.bytes <= 0 || this.#cluster.clock.timeScale === 0) {
        resolve();
        return;
      }
      if (this.#running.size === 0) this.#last = performance.now();
      this.#running.add({ job, remaining: job.bytes, resolve, reject });
      this.#schedule();
    });
  }

  #down(hosts: readonly string[]): string[] {
    const live = new Set(this.#cluster.liveNodes());
    return hosts.filter((h) => !live.has(h));
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#running.size === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#tick();
      this.#schedule();
    }, TICK_MS);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  #tick(): void {
    const now = performance.now();
    const modelledSeconds = (now - this.#last) / 1000 / this.#cluster.clock.timeScale;
    this.#last = now;
    const load = this.load();
    const live = new Set(this.#cluster.liveNodes());
    for (const r of [...this.#running]) {
      const finish = (fn: () => void): void => {
        this.#running.delete(r);
        fn();
      };
      if (r.job.signal?.aborted) {
        finish(() => r.reject(new JobInterrupted("aborted")));
        continue;
      }
      const down = r.job.hosts.filter((h) => !live.has(h));
      if (down.length > 0) {
        finish(() => r.reject(new JobInterrupted("node_down", down)));
        continue;
      }
      const sharing = Math.max(1, ...r.job.hosts.map((h) => load.get(h) ?? 1));
      r.remaining -= ((this.bandwidth * r.job.parallelism) / sharing) * modelledSeconds;
      if (r.remaining <= 0) finish(r.resolve);
    }
  }
}

const schedulers = new WeakMap<ClusterState, RepairScheduler>();

/** The scheduler of a cluster (created on first use). */
export function repairScheduler(cluster: ClusterState): RepairScheduler {
  let s = schedulers.get(cluster);
  if (s === undefined) {
    s = new RepairScheduler(cluster);
    schedulers.set(cluster, s);
  }
  return s;
}
