/**
 * The `Restore` library class: plan a restore into a connected `Cluster` (validates the whole target: locations,
 * snapshot, tables, nodes) and run it in-process, no daemon, with progress events carrying an ETA.
 * @module
 */
import { EventEmitter } from "node:events";
import type { Cluster } from "../cluster/cluster.ts";
import { createMemoryStore } from "../store/memory.ts";
import type { Store } from "../store/store.ts";
import { EtaTracker } from "../util/eta.ts";
import type { Logger } from "../util/log.ts";
import { throttledPublisher } from "../util/throttle.ts";
import { newTimeUuid, newUuid } from "../util/uuid.ts";
import { restoreEnvFromCluster } from "./cluster-env.ts";
import type { PostRestoreRepair, RestoreEnv, RestoreTimings } from "./env.ts";
import type { RestoreUnit, RestoreView } from "./model.ts";
import type { RestoreProgress } from "./progress.ts";
import { initRun, runRestore } from "./run.ts";
import { readRestoreProgress } from "./service.ts";
import type { RestoreStage } from "./stage.ts";

/** Options of {@link Restore.plan}: SM's restore task properties in camelCase, plus run settings. */
export interface RestoreOptions {
  /** `[dc:]provider:bucket` entries. */
  location: string[];
  snapshotTag: string;
  /** What to restore: the tables' data (default) or the schema. */
  type?: "tables" | "schema";
  /** Keyspace/table globs (tables only; default `*`). */
  keyspace?: string[];
  /** SSTables per shard in a batch; 0 = size-based. Default 2. */
  batchSize?: number;
  /** Most hosts restoring at once; 0 = all. Default 0. */
  parallel?: number;
  /** Transfers per host; 0 = 2 x shards, -1 = agent config. Default 0. */
  transfers?: number;
  /** `[dc:]MiB/s`; 0 = unlimited. */
  rateLimit?: string[];
  allowCompaction?: boolean;
  unpinAgentCpu?: boolean;
  /** Source DC → target DC. */
  dcMapping?: Record<string, string>;
  /**
   * How batches are restored: `rclone` (agent download + load&stream, default), `native` (Scylla's restore API on
   * every host; an error before any data moves where it cannot be used) or `auto` (native where possible).
   */
  method?: "rclone" | "auto" | "native";
  /** Resume the last unfinished run of `taskId` (needs the same `store`). Default true. */
  continue?: boolean;
  /** Task the runs belong to (resume is per task). Default a new UUID per plan. */
  taskId?: string;
  /** Where run state and batch progress live. Default an in-memory store (no resume across processes). */
  store?: Store;
  /** The post-restore repair; default our repair service, `null` skips the REPAIR stage. */
  repair?: PostRestoreRepair | null;
  logger?: Logger;
  timings?: Partial<RestoreTimings>;
  /** Cluster ID the runs are stored under. Default "local". */
  clusterId?: string;
}

/** A progress event. */
export interface RestoreProgressEvent {
  stage: RestoreStage;
  progress: RestoreProgress;
  /** Seconds left at the smoothed restore rate (DATA stage); undefined while unknown. */
  etaSeconds: number | undefined;
}

/** What a finished run returns. */
export interface RestoreResult {
  runId: string;
  progress: RestoreProgress;
}

function propertiesOf(o: RestoreOptions): Record<string, unknown> {
  const schema = o.type === "schema";
  const props: Record<string, unknown> = {
    location: o.location,
    snapshot_tag: o.snapshotTag,
    restore_schema: schema,
    restore_tables: !schema,
  };
  if (o.keyspace) props.keyspace = o.keyspace;
  if (o.batchSize !== undefined) props.batch_size = o.batchSize;
  if (o.parallel !== undefined) props.parallel = o.parallel;
  if (o.transfers !== undefined) props.transfers = o.transfers;
  if (o.rateLimit) props.rate_limit = o.rateLimit;
  if (o.allowCompaction !== undefined) props.allow_compaction = o.allowCompaction;
  if (o.unpinAgentCpu !== undefined) props.unpin_agent_cpu = o.unpinAgentCpu;
  if (o.dcMapping) props.dc_mapping = o.dcMapping;
  if (o.method !== undefined) props.method = o.method;
  if (o.continue !== undefined) props.continue = o.continue;
  return props;
}

/**
 * A planned restore.
 * @example
 * const restore = await Restore.plan(cluster, { location: ["s3:my-bucket"], snapshotTag: "sm_20250101000000UTC" });
 * restore.on("progress", (e) => console.log(e.stage, e.progress.restored, e.etaSeconds));
 * await restore.run();
 */
export class Restore extends EventEmitter<{ progress: [RestoreProgressEvent] }> {
  /** Tables restored, with sizes and original tombstone_gc modes. */
  readonly units: RestoreUnit[];
  /** Views and indexes of restored tables (dropped and recreated around the data). */
  readonly views: RestoreView[];
  /** Bytes to restore. */
  readonly size: number;
  readonly taskId: string;
  readonly #env: RestoreEnv;
  readonly #options: RestoreOptions;

  private constructor(
    env: RestoreEnv,
    options: RestoreOptions,
    taskId: string,
    units: RestoreUnit[],
    views: RestoreView[],
  ) {
    super();
    this.#env = env;
    this.#options = options;
    this.taskId = taskId;
    this.units = units;
    this.views = views;
    this.size = units.reduce((sum, u) => sum + u.size, 0);
  }

  /** Resolves and checks the target without changing anything (the `--dry-run` of sctool). */
  static async plan(cluster: Cluster, options: RestoreOptions): Promise<Restore> {
    const env = restoreEnvFromCluster(cluster, {
      clusterId: options.clusterId ?? "local",
      store: options.store ?? createMemoryStore(),
      logger: options.logger,
      timings: options.timings,
      repair: options.repair,
    });
    const taskId = options.taskId ?? newUuid();
    const cql = await env.cql();
    try {
      const { state } = await initRun(env, { taskId, runId: "", properties: propertiesOf(options) }, cql);
      return new Restore(env, options, taskId, state.units, state.views);
    } finally {
      await cql.shutdown().catch(() => undefined);
    }
  }

  /** Runs the restore; resolves on DONE, rejects with what failed (a later run of the same task resumes). */
  async run(options: { signal?: AbortSignal } = {}): Promise<RestoreResult> {
    const env = this.#env;
    const runId = newTimeUuid();
    const eta = new EtaTracker();
    let stage: RestoreStage = "INIT";
    const publisher = throttledPublisher(250, async (at: RestoreStage) => {
      const progress = await readRestoreProgress(env.store, env.clusterId, this.taskId, runId, Date.now());
      if (!progress) return;
      const etaSeconds = eta.update(progress.restored, progress.size, Date.now());
      this.emit("progress", { stage: at, progress, etaSeconds });
    });
    await runRestore(env, {
      taskId: this.taskId,
      runId,
      properties: propertiesOf(this.#options),
      signal: options.signal ?? new AbortController().signal,
      hooks: {
        onStage: (s) => {
          stage = s;
          if (s !== "DONE") publisher.request(true, s);
        },
        onProgress: () => publisher.request(false, stage),
      },
    });
    await publisher.settled();
    const progress = await readRestoreProgress(env.store, env.clusterId, this.taskId, runId, Date.now());
    if (!progress) throw new Error("restore finished without a run record");
    this.emit("progress", { stage: "DONE", progress, etaSeconds: 0 });
    return { runId, progress };
  }
}
