/**
 * Builds a {@link RestoreEnv} over a connected `Cluster` (the library path and the daemon's service both use it).
 * @module
 */
import { RestoreRclone } from "../clients/agent/rclone-restore.ts";
import type { Cluster } from "../cluster/cluster.ts";
import { readNodeStates } from "../cluster/topology.ts";
import type { Store } from "../store/store.ts";
import { createSilentLogger, type Logger } from "../util/log.ts";
import { DEFAULT_TIMINGS, type PostRestoreRepair, type RestoreEnv, type RestoreTimings } from "./env.ts";
import { createRestoreRepair } from "./repair-stage.ts";

/** Options of {@link restoreEnvFromCluster}. */
export interface ClusterEnvOptions {
  clusterId: string;
  store: Store;
  logger?: Logger;
  now?: () => number;
  timings?: Partial<RestoreTimings>;
  /** The post-restore repair; default our repair service over the cluster, `null` = skip the stage. */
  repair?: PostRestoreRepair | null;
}

/** A restore environment over `cluster`'s gateways. */
export function restoreEnvFromCluster(cluster: Cluster, options: ClusterEnvOptions): RestoreEnv {
  return {
    clusterId: options.clusterId,
    scylla: cluster.scylla,
    rclone: new RestoreRclone(cluster.agent),
    nodes: () => readNodeStates(cluster.scylla),
    nodeInfo: (host) => cluster.nodeInfo(host),
    cql: () => cluster.cqlSession(),
    store: options.store,
    logger: options.logger ?? createSilentLogger(),
    now: options.now ?? Date.now,
    timings: { ...DEFAULT_TIMINGS, ...options.timings },
    repair:
      options.repair === null
        ? undefined
        : (options.repair ??
          createRestoreRepair({ scylla: cluster.scylla, store: options.store, logger: options.logger })),
  };
}
