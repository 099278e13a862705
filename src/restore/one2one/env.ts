/**
 * What a 1-1 restore run works with: the restore environment (gateways, store, timings, repair, the agents'
 * `node_info` with storage size and Scylla version) and the optional Prometheus gauges.
 * @module
 */
import type { AgentClient } from "../../clients/agent/client.ts";
import type { Cluster } from "../../cluster/cluster.ts";
import { type ClusterEnvOptions, restoreEnvFromCluster } from "../cluster-env.ts";
import type { RestoreEnv } from "../env.ts";
import type { One2OneMetrics } from "./metrics.ts";

/** Everything a 1-1 restore run needs. */
export interface One2OneEnv extends RestoreEnv {
  metrics?: One2OneMetrics;
}

/** Adds the agent's node_info to a restore environment. */
export function one2OneEnv(env: RestoreEnv, agent: AgentClient, metrics?: One2OneMetrics): One2OneEnv {
  return { ...env, nodeInfo: (host) => agent.nodeInfo(host), metrics };
}

/** A 1-1 restore environment over a connected `Cluster` (the library path). */
export function one2OneEnvFromCluster(cluster: Cluster, options: ClusterEnvOptions): One2OneEnv {
  return one2OneEnv(restoreEnvFromCluster(cluster, options), cluster.agent);
}
