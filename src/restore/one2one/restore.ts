/**
 * The `One2OneRestore` library class: plan a 1-1 restore into a connected `Cluster` (checks the mapping, the
 * snapshot, tokens, shards and storage of every node pair without changing anything) and run it in-process, no
 * daemon, with progress events carrying an ETA. Same shape as `Restore`.
 * @module
 */
import { EventEmitter } from "node:events";
import type { Cluster } from "../../cluster/cluster.ts";
import { createMemoryStore } from "../../store/memory.ts";
import type { Store } from "../../store/store.ts";
import { EtaTracker } from "../../util/eta.ts";
import type { Logger } from "../../util/log.ts";
import { throttledPublisher } from "../../util/throttle.ts";
import { newTimeUuid, newUuid } from "../../util/uuid.ts";
import type { PostRestoreRepair, RestoreTimings } from "../env.ts";
import { type One2OneEnv, one2OneEnvFromCluster } from "./env.ts";
import type { NodeMapping } from "./model.ts";
import { prepareOne2One } from "./prepare.ts";
import { type One2OneProgress, one2OneTotals } from "./progress.ts";
import { runOne2OneRestore } from "./run.ts";
import { readOne2OneProgress } from "./service.ts";

/** Options of {@link One2OneRestore.plan}: SM's `1_1_restore` properties in camelCase, plus run settings. */
export interface One2OneRestoreOptions {
  /** `[dc:]provider:bucket` entries (the DC only picks which node lists the location). */
  location: string[];
  snapshotTag: string;
  /** Cluster ID the backup was taken under. */
  sourceClusterId: string;
  /** Source node → target node, one entry per node (see `parseNodesMapping` for SM's file format). */
  nodesMapping: NodeMapping[];
  /** Keyspace names (default all). */
  keyspace?: string[];
  unpinAgentCpu?: boolean;
  /** Task the runs belong to (a later run of the task keeps what an unfinished one refreshed). Default a new UUID. */
  taskId?: string;
  /** Where progress lives. Default an in-memory store. */
  store?: Store;
  /** Repair of the base tables of secondary indexes; default our repair service, `null` skips it. */
  repair?: PostRestoreRepair | null;
  logger?: Logger;
  timings?: Partial<RestoreTimings>;
  /** Cluster ID the runs are stored under. Default "local". */
  clusterId?: string;
}

/** What each target node restores. */
export interface One2OneHostPlan {
  host: string;
  hostId: string;
  sourceHostId: string;
  tables: number;
  size: number;
}

/** A progress event. */
export interface One2OneProgressEvent {
  progress: One2OneProgress;
  /** Seconds left at the smoothed download rate; undefined while unknown. */
  etaSeconds: number | undefined;
}

/** What a finished run returns. */
export interface One2OneResult {
  runId: string;
  progress: One2OneProgress;
}

const propertiesOf = (o: One2OneRestoreOptions): Record<string, unknown> => ({
  location: o.location,
  snapshot_tag: o.snapshotTag,
  source_cluster_id: o.sourceClusterId,
  nodes_mapping: o.nodesMapping,
  ...(o.keyspace ? { keyspace: o.keyspace } : {}),
  unpin_agent_cpu: o.unpinAgentCpu ?? false,
});

/**
 * A planned 1-1 restore.
 * @example
 * const r = await One2OneRestore.plan(cluster, { location: ["s3:bucket"], snapshotTag, sourceClusterId, nodesMapping });
 * r.on("progress", (e) => console.log(e.progress.tables, e.etaSeconds));
 * await r.run();
 */
export class One2OneRestore extends EventEmitter<{ progress: [One2OneProgressEvent] }> {
  /** Per target node: its source node and what it restores. */
  readonly hosts: One2OneHostPlan[];
  /** Bytes to restore. */
  readonly size: number;
  readonly taskId: string;
  readonly #env: One2OneEnv;
  readonly #options: One2OneRestoreOptions;

  private constructor(env: One2OneEnv, options: One2OneRestoreOptions, taskId: string, hosts: One2OneHostPlan[]) {
    super();
    this.#env = env;
    this.#options = options;
    this.taskId = taskId;
    this.hosts = hosts;
    this.size = hosts.reduce((sum, h) => sum + h.size, 0);
  }

  /** Checks everything a run would check first, changing nothing. */
  static async plan(cluster: Cluster, options: One2OneRestoreOptions): Promise<One2OneRestore> {
    const env = one2OneEnvFromCluster(cluster, {
      clusterId: options.clusterId ?? "local",
      store: options.store ?? createMemoryStore(),
      logger: options.logger,
      timings: options.timings,
      repair: options.repair,
    });
    const cql = await env.cql();
    try {
      const plan = await prepareOne2One(env, propertiesOf(options), cql);
      const hosts = plan.workload.map((w) => ({
        host: w.host.host,
        hostId: w.host.hostId,
        sourceHostId: w.header.node_id,
        tables: w.tables.length,
        size: w.tables.reduce((sum, t) => sum + t.size, 0),
      }));
      return new One2OneRestore(env, options, options.taskId ?? newUuid(), hosts);
    } finally {
      await cql.shutdown().catch(() => undefined);
    }
  }

  /** Runs the restore; resolves when every node's tables are refreshed and views rebuilt. */
  async run(options: { signal?: AbortSignal } = {}): Promise<One2OneResult> {
    const env = this.#env;
    const runId = newTimeUuid();
    const eta = new EtaTracker();
    const read = () => readOne2OneProgress(env.store, env.clusterId, this.taskId, runId);
    const publisher = throttledPublisher(250, async () => {
      const progress = await read();
      const { size, restored } = one2OneTotals(progress);
      this.emit("progress", { progress, etaSeconds: eta.update(restored, size, Date.now()) });
    });
    await runOne2OneRestore(env, {
      taskId: this.taskId,
      runId,
      properties: propertiesOf(this.#options),
      signal: options.signal ?? new AbortController().signal,
      hooks: { onProgress: () => publisher.request(false) },
    });
    await publisher.settled();
    const progress = await read();
    this.emit("progress", { progress, etaSeconds: 0 });
    return { runId, progress };
  }
}
