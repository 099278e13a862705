/**
 * Repair state of a node (repair command ids, statuses, its `repair` task module, user task TTL) and of the
 * cluster (the `tablets` task module, the modelled-work scheduler).
 * @module
 */
import type { ClusterState, NodeContext } from "../node-context.ts";
import { type RepairScheduler, repairScheduler } from "./scheduler.ts";
import { TaskRegistry } from "./tasks.ts";

/** Default `user_task_ttl_in_seconds` (SM's test clusters use 10). */
export const DEFAULT_USER_TTL_SECONDS = 10;

/** Repair state of one node. */
export interface NodeRepairState {
  node: NodeContext;
  /** Last repair command id handed out (ids start at 1). */
  sequence: number;
  /**
   * Status of unfinished and failed commands. Like Scylla, a successful command is forgotten: any id up to
   * `sequence` that is not here is SUCCESSFUL.
   */
  statuses: Map<number, "RUNNING" | "FAILED">;
  /** Settles when a command ends. */
  finished: Map<number, Promise<void>>;
  tasks: TaskRegistry;
  userTtlSeconds: number;
}

/** Repair state of the cluster. */
export interface ClusterRepairState {
  tablets: TaskRegistry;
  scheduler: RepairScheduler;
  /** TTL the tablets module uses (the last value set on any node). */
  userTtlSeconds: number;
}

const clusters = new WeakMap<ClusterState, ClusterRepairState>();
const nodes = new WeakMap<NodeContext, NodeRepairState>();

/** The repair state of a cluster. */
export function clusterRepairState(cluster: ClusterState): ClusterRepairState {
  let s = clusters.get(cluster);
  if (s === undefined) {
    const created: ClusterRepairState = {
      tablets: new TaskRegistry(cluster.clock.now, () => created.userTtlSeconds),
      scheduler: repairScheduler(cluster),
      userTtlSeconds: DEFAULT_USER_TTL_SECONDS,
    };
    s = created;
    clusters.set(cluster, created);
  }
  return s;
}

/** The repair state of a node. */
export function nodeRepairState(node: NodeContext): NodeRepairState {
  let s = nodes.get(node);
  if (s === undefined) {
    const created: NodeRepairState = {
      node,
      sequence: 0,
      statuses: new Map(),
      finished: new Map(),
      tasks: new TaskRegistry(node.cluster.clock.now, () => created.userTtlSeconds),
      userTtlSeconds: DEFAULT_USER_TTL_SECONDS,
    };
    s = created;
    nodes.set(node, created);
  }
  return s;
}
