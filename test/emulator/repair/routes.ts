/**
 * Repair routes of a node's Scylla REST API: repair_async / repair_status, the task manager (`repair` and
 * `tablets` modules, wait/status/abort, user_ttl) and tablet repair. Mounted by the launcher through `mounts.ts`.
 * @module
 */
import type { NodeContext } from "../node-context.ts";
import { requireParam } from "../rest/params.ts";
import { RestError } from "../rest/rest-error.ts";
import type { RestRequest, RestRouter } from "../rest/router.ts";
import { clusterRepairState, type NodeRepairState, nodeRepairState } from "./state.ts";
import { startTabletRepair } from "./tablet-repair.ts";
import { type Task, taskNotFound, toTaskStats, toTaskStatus, waitForTask } from "./tasks.ts";
import { startVnodeRepair } from "./vnode-repair.ts";

/** Modules the emulated task manager knows; only repair and tablets ever hold tasks here. */
const MODULES = ["repair", "tablets", "compaction", "streaming", "sstables_loader", "snapshot", "node_ops"];

function parseId(req: RestRequest): number {
  const raw = requireParam(req, "id");
  const id = Number(raw);
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(id)) throw new RestError(400, `Invalid value '${raw}' for 'id'`);
  return id;
}

function parseTimeout(req: RestRequest): number | undefined {
  const raw = req.query.get("timeout");
  if (raw === null || raw === "") return undefined;
  const t = Number(raw);
  if (!Number.isFinite(t) || t < 0) throw new RestError(400, `Invalid value '${raw}' for 'timeout'`);
  return t;
}

/** The status of a command now ("SUCCESSFUL" for forgotten successes, as Scylla answers). */
function statusOf(state: NodeRepairState, id: number): string {
  if (id > state.sequence || id < 1) throw new RestError(500, `unknown repair id ${id}`);
  return state.statuses.get(id) ?? "SUCCESSFUL";
}

/** Blocks until the command ends (or `timeout` seconds pass → "RUNNING", or the client goes away). */
async function awaitStatus(state: NodeRepairState, id: number, timeout: number | undefined, signal: AbortSignal) {
  const status = statusOf(state, id);
  const done = state.finished.get(id);
  if (status !== "RUNNING" || done === undefined) return status;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waits: Array<Promise<unknown>> = [
    done,
    new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true })),
  ];
  if (timeout !== undefined) waits.push(new Promise((resolve) => (timer = setTimeout(resolve, timeout * 1000))));
  await Promise.race(waits);
  clearTimeout(timer);
  return statusOf(state, id);
}

/** A task of this node's repair module or of the cluster's tablets module. */
function findTask(node: NodeContext, id: string): Task {
  const task = nodeRepairState(node).tasks.find(id) ?? clusterRepairState(node.cluster).tablets.find(id);
  if (task === undefined) throw taskNotFound(id);
  return task;
}

/**
 * Registers the repair and task manager routes of one node. The returned `close` (called on cluster close) aborts
 * the node's running repairs and the cluster's tablet repairs, so no modelled work outlives the cluster.
 */
export function registerRepairRoutes(router: RestRouter, node: NodeContext): { close: () => void } {
  const state = nodeRepairState(node);
  const cluster = clusterRepairState(node.cluster);
  router
    .add("POST", "/storage_service/repair_async/{keyspace}", (req) =>
      startVnodeRepair(state, req.params.keyspace ?? "", req.query),
    )
    .add("GET", "/storage_service/repair_async/{keyspace}", (req) => statusOf(state, parseId(req)))
    .add("GET", "/storage_service/repair_status", (req) =>
      awaitStatus(state, parseId(req), parseTimeout(req), req.signal),
    )
    .add("GET", "/storage_service/active_repair/", () =>
      [...state.statuses].filter(([, s]) => s === "RUNNING").map(([id]) => id),
    )
    .add("POST", "/storage_service/tablets/repair", (req) => startTabletRepair(node, req))
    .add("GET", "/task_manager/list_modules", () => MODULES)
    .add("GET", "/task_manager/list_module_tasks/{module}", (req) => {
      const module = req.params.module ?? "";
      if (!MODULES.includes(module)) throw new RestError(400, `module ${module} not found`);
      const keyspace = req.query.get("keyspace");
      const table = req.query.get("table");
      // The node registry also holds native/'s tasks (modules `snapshot` and `sstables_loader`).
      const tasks =
        module === "tablets" ? cluster.tablets.list() : state.tasks.list().filter((t) => t.module === module);
      return tasks
        .filter(
          (t) =>
            (keyspace === null || keyspace === "" || t.keyspace === keyspace) &&
            (table === null || table === "" || t.table === table),
        )
        .map(toTaskStats);
    })
    .add("GET", "/task_manager/task_status/{task_id}", (req) => toTaskStatus(findTask(node, req.params.task_id ?? "")))
    .add("GET", "/task_manager/wait_task/{task_id}", async (req) => {
      const task = findTask(node, req.params.task_id ?? "");
      await waitForTask(task, parseTimeout(req), req.signal);
      return toTaskStatus(task);
    })
    .add("POST", "/task_manager/abort_task/{task_id}", (req) => {
      findTask(node, req.params.task_id ?? "").abort();
      return undefined;
    })
    .add("GET", "/task_manager/user_ttl", () => state.userTtlSeconds)
    .add("POST", "/task_manager/user_ttl", (req) => {
      const raw = requireParam(req, "user_ttl");
      const ttl = Number(raw);
      if (!/^\d+$/.test(raw) || !Number.isSafeInteger(ttl))
        throw new RestError(400, `Invalid value '${raw}' for 'user_ttl'`);
      const previous = state.userTtlSeconds;
      state.userTtlSeconds = ttl;
      cluster.userTtlSeconds = ttl;
      return previous;
    });
  return {
    close: () => {
      state.tasks.abortAll();
      cluster.tablets.abortAll();
    },
  };
}
