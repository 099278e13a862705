/**
 * Native backup and restore tasks live in the node's task registry of `repair/` (the one `task_status`,
 * `wait_task`, `abort_task`, `list_module_tasks` and `user_ttl` serve), shaped as Scylla's: a backup is a task of
 * module `snapshot` and type `backup` (`db/snapshot/backup_task.cc`), a restore one of module `sstables_loader` and
 * type `download_sstables` (`sstables_loader.cc`); both name their keyspace only (table and entity are empty, so a
 * listing cannot tell which table, snapshot, bucket or prefix a task works on). Their progress is in bytes. The
 * transfer time is modelled: bytes / native bandwidth, scaled by the time scale.
 * @module
 */

import type { ClusterState, NodeContext } from "../node-context.ts";
import { nodeRepairState } from "../repair/state.ts";
import type { Task, TaskInit } from "../repair/tasks.ts";

/** The native API's operations, with the task manager module and task type Scylla files them under. */
export type NativeOperation = "backup" | "restore";
const TASK_KIND = {
  backup: { module: "snapshot", type: "backup", progressUnits: "bytes" },
  restore: { module: "sstables_loader", type: "download_sstables", progressUnits: undefined },
} as const;

/** Modelled object storage throughput per node (bytes per modelled second; Scylla's stream_io_throughput). */
const DEFAULT_NATIVE_BANDWIDTH = 128 * 1024 * 1024;
const bandwidths = new WeakMap<ClusterState, number>();

/** Sets the modelled native transfer bandwidth of a cluster's nodes (bytes per modelled second). */
export function setNativeBandwidth(cluster: ClusterState, bytesPerSecond: number): void {
  if (!(bytesPerSecond > 0)) throw new Error(`native bandwidth must be > 0, got ${bytesPerSecond}`);
  bandwidths.set(cluster, bytesPerSecond);
}

/** Waits the modelled time of moving `bytes` to or from object storage. */
export function sleepTransfer(node: NodeContext, bytes: number, signal: AbortSignal): Promise<void> {
  const bw = bandwidths.get(node.cluster) ?? DEFAULT_NATIVE_BANDWIDTH;
  return node.cluster.clock.sleepModelled((bytes / bw) * 1000, signal);
}

/** Seastar's message for an aborted task. */
export const ABORT_MESSAGE = "abort requested";

/** What the work of a native task receives. */
export interface NativeTaskContext {
  task: Task;
  signal: AbortSignal;
}

const running = new WeakMap<NodeContext, Set<Task>>();

/**
 * Starts the task of a native operation in the node's task registry; `work` gets the task (for progress) and the
 * abort signal.
 */
export function startNativeTask(
  node: NodeContext,
  operation: NativeOperation,
  init: { keyspace: string; progressTotal?: number },
  work: (ctx: NativeTaskContext) => Promise<void>,
): Task {
  const controller = new AbortController();
  const { module, type, progressUnits } = TASK_KIND[operation];
  const taskInit: TaskInit = {
    module,
    type,
    kind: "node",
    scope: "node",
    sequenceNumber: 0,
    keyspace: init.keyspace,
    // Scylla's backup and restore tasks leave table (and entity) empty.
    table: "",
    ...(progressUnits === undefined ? {} : { progressUnits }),
    node: node.ip,
    progressTotal: init.progressTotal ?? 0,
    progressCompleted: 0,
  };
  const registry = nodeRepairState(node).tasks;
  const mine = running.get(node) ?? new Set<Task>();
  running.set(node, mine);
  taskInit.sequenceNumber = registry.list().filter((t) => t.module === module).length + 1;
  const task = registry.start(taskInit, controller, async (t) => {
    try {
      await work({ task: t, signal: controller.signal });
    } catch (err) {
      if (controller.signal.aborted) throw new Error(ABORT_MESSAGE);
      throw err;
    }
  });
  mine.add(task);
  void task.done.then(() => mine.delete(task));
  return task;
}

/** Aborts the node's running native tasks and waits for them to settle (cluster close). */
export async function abortNativeTasks(node: NodeContext): Promise<void> {
  const mine = [...(running.get(node) ?? [])];
  for (const t of mine) if (t.state === "running") t.abort();
  await Promise.all(mine.map((t) => t.done));
}

/** The object key of a file under a prefix (SM sends prefixes without a leading slash). */
export function objectKey(prefix: string, name: string): string {
  const p = prefix.replace(/^\/+|\/+$/g, "");
  return p === "" ? name : `${p}/${name}`;
}
