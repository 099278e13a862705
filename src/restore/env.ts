/**
 * What a restore run works with: the cluster's gateways, the store, time, a logger, tunable waits, and the optional
 * post-restore repair. Built by the service (daemon) or the library class from a `Cluster`.
 * @module
 */
import type { NodeInfo } from "../clients/agent/node-info.ts";
import type { RestoreRclone } from "../clients/agent/rclone-restore.ts";
import type { CqlSession } from "../clients/cql/session.ts";
import type { ScyllaClient } from "../clients/scylla/client.ts";
import type { NodeState } from "../cluster/topology.ts";
import type { Store } from "../store/store.ts";
import type { Logger } from "../util/log.ts";
import type { RestoreMetrics } from "./metrics.ts";

/**
 * The post-restore REPAIR stage's entry point: repairs exactly `tables` (`ks.table`) of the cluster (SM runs its
 * repair service inline: intensity 0, parallel 0, allow_empty, incremental_mode full) as repair task `taskId`, so a
 * resumed restore resumes the same repair. Absent: the stage is skipped with a warning.
 */
export interface PostRestoreRepair {
  repair(input: {
    clusterId: string;
    taskId: string;
    runId: string;
    tables: string[];
    signal: AbortSignal;
  }): Promise<void>;
  /** The repair's progress JSON (SM's RepairProgress) for restore's `repair_progress`; undefined when none. */
  progress?(clusterId: string, taskId: string): Promise<unknown>;
}

/** Waits, ms (SM: 10 s polls). Tests shorten them. */
export interface RestoreTimings {
  /** `job/progress` long poll, seconds. Default 10. */
  jobPollSeconds: number;
  /** Wait before calling load&stream again after "Already loading SSTables" or a timeout. Default 10 000. */
  loadRetryMs: number;
  /** Between view build status checks. Default 10 000. */
  viewPollMs: number;
  /** Free disk below this percent refuses a batch. Default 10. */
  diskFreeMinPercent: number;
}

export const DEFAULT_TIMINGS: RestoreTimings = {
  jobPollSeconds: 10,
  loadRetryMs: 10_000,
  viewPollMs: 10_000,
  diskFreeMinPercent: 10,
};

/** Everything a restore run needs. */
export interface RestoreEnv {
  clusterId: string;
  scylla: ScyllaClient;
  rclone: RestoreRclone;
  /** The cluster's nodes with `UN`-style status (SM's `client.Status()`). */
  nodes(): Promise<NodeState[]>;
  /** The agent's node_info of `host` (Scylla version, object storage endpoints: native restore support). */
  nodeInfo(host: string): Promise<NodeInfo>;
  /** Opens a CQL session to the cluster (closed by the caller). */
  cql(): Promise<CqlSession>;
  store: Store;
  logger: Logger;
  now(): number;
  timings: RestoreTimings;
  repair?: PostRestoreRepair;
  /** `scylla_manager_restore_*` gauges (the daemon's registry); absent = not reported. */
  restoreMetrics?: RestoreMetrics;
}
