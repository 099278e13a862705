/**
 * What the backup engine needs of a cluster, so the daemon (ClusterService) and the library (`Cluster`) can both
 * drive it: the gateway clients, node info and a CQL session for the schema dump.
 * @module
 */
import type { AgentClient } from "../clients/agent/client.ts";
import type { NodeInfo } from "../clients/agent/node-info.ts";
import type { CqlSession } from "../clients/cql/session.ts";
import type { ScyllaClient } from "../clients/scylla/client.ts";

/** A cluster as the backup engine sees it. */
export interface BackupClusterAccess {
  clusterId: string;
  clusterName: string;
  scylla: ScyllaClient;
  agent: AgentClient;
  nodeInfo(host: string): Promise<NodeInfo>;
  /**
   * A single-host CQL session to `host`, or undefined when the cluster needs credentials that were not given
   * (the schema stage then fails with SM's message, and views are not told apart from tables).
   */
  cqlSession(host: string): Promise<CqlSession | undefined>;
}

/** Tunables from the server config (`backup:` section). */
export interface BackupConfig {
  diskSpaceFreeMinPercent: number;
  longPollingTimeoutSeconds: number;
  ageMaxMs: number;
}

export const DEFAULT_BACKUP_CONFIG: BackupConfig = {
  diskSpaceFreeMinPercent: 10,
  longPollingTimeoutSeconds: 10,
  ageMaxMs: 24 * 3_600_000,
};
