/**
 * In-memory Store: for tests and for library use on plain Node. Runtime-neutral. Values are deep-copied on the way
 * in and out (through JSON, as a persistent store would), so callers never share objects with the stored state.
 * @module
 */
import { StoreError } from "../errors.ts";
import { applyLimit, cloneJson, compareNewestFirst, compareText } from "./keys.ts";
import type {
  ClusterRecord,
  ProgressRow,
  RunRecord,
  ServiceRunRecord,
  Store,
  TaskFilter,
  TaskRecord,
  TaskStatus,
} from "./store.ts";

const SEP = "\u0000";
const key = (...parts: string[]) => parts.join(SEP);

/** Creates an empty in-memory store; its state is lost when the process exits. */
export function createMemoryStore(): Store {
  const clusters = new Map<string, ClusterRecord>();
  const secrets = new Map<string, Map<string, Uint8Array>>();
  const drawer = new Map<string, string>();
  const tasks = new Map<string, TaskRecord>();
  const runs = new Map<string, RunRecord>();
  const serviceRuns = new Map<string, ServiceRunRecord>();
  const progress = new Map<string, Map<string, unknown>>();
  let closed = false;

  // Async so errors surface as rejections, as in the persistent implementations.
  async function guard<T>(action: string, fn: () => T): Promise<T> {
    if (closed) throw new StoreError(`${action}: store is closed`, { hint: "open the store again" });
    return fn();
  }

  function filterTasks(list: TaskRecord[], filter: TaskFilter = {}): TaskRecord[] {
    return list
      .filter((t) => (filter.type === undefined || t.type === filter.type) && (filter.includeDeleted || !t.deleted))
      .sort((a, b) => compareText(a.clusterId, b.clusterId) || compareText(a.type, b.type) || compareText(a.id, b.id))
      .map(cloneJson);
  }

  return {
    putCluster: (cluster) => guard("put cluster", () => void clusters.set(cluster.id, cloneJson(cluster))),
    getCluster: (id) => guard("get cluster", () => cloneJson(clusters.get(id))),
    listClusters: () =>
      guard("list clusters", () => [...clusters.values()].sort((a, b) => compareText(a.id, b.id)).map(cloneJson)),
    deleteCluster: (id) => guard("delete cluster", () => void clusters.delete(id)),

    putSecret: (clusterId, name, value) =>
      guard("put secret", () => {
        const bucket = secrets.get(clusterId) ?? new Map<string, Uint8Array>();
        bucket.set(name, new Uint8Array(value));
        secrets.set(clusterId, bucket);
      }),
    getSecret: (clusterId, name) =>
      guard("get secret", () => {
        const value = secrets.get(clusterId)?.get(name);
        return value === undefined ? undefined : new Uint8Array(value);
      }),
    deleteSecret: (clusterId, name) => guard("delete secret", () => void secrets.get(clusterId)?.delete(name)),
    deleteSecrets: (clusterId) => guard("delete secrets", () => void secrets.delete(clusterId)),

    putDrawer: (clusterId, name, value) =>
      guard("put drawer", () => void drawer.set(key(clusterId, name), JSON.stringify(value ?? null))),
    getDrawer: (clusterId, name) =>
      guard("get drawer", () => {
        const text = drawer.get(key(clusterId, name));
        return text === undefined ? undefined : (JSON.parse(text) as unknown);
      }),
    deleteDrawer: (clusterId, name) => guard("delete drawer", () => void drawer.delete(key(clusterId, name))),

    putTask: (task) =>
      guard("put task", () => void tasks.set(key(task.clusterId, task.type, task.id), cloneJson(task))),
    getTask: (clusterId, type, id) => guard("get task", () => cloneJson(tasks.get(key(clusterId, type, id)))),
    listTasks: (clusterId, filter) =>
      guard("list tasks", () =>
        filterTasks(
          [...tasks.values()].filter((t) => t.clusterId === clusterId),
          filter,
        ),
      ),
    listAllTasks: (filter) => guard("list tasks", () => filterTasks([...tasks.values()], filter)),

    putRun: (run) =>
      guard("put run", () => void runs.set(key(run.clusterId, run.type, run.taskId, run.id), cloneJson(run))),
    getRun: (clusterId, type, taskId, runId) =>
      guard("get run", () => cloneJson(runs.get(key(clusterId, type, taskId, runId)))),
    listRuns: (clusterId, type, taskId, limit) =>
      guard("list runs", () => {
        const list = [...runs.values()].filter(
          (r) => r.clusterId === clusterId && r.type === type && r.taskId === taskId,
        );
        return applyLimit(
          list.sort((a, b) => compareNewestFirst(a.id, b.id)),
          limit,
        ).map(cloneJson);
      }),
    listRunsByStatus: (status: TaskStatus) =>
      guard("list runs", () =>
        [...runs.values()]
          .filter((r) => r.status === status)
          .sort(
            (a, b) =>
              compareText(a.clusterId, b.clusterId) ||
              compareText(a.type, b.type) ||
              compareText(a.taskId, b.taskId) ||
              compareNewestFirst(a.id, b.id),
          )
          .map(cloneJson),
      ),

    putServiceRun: (kind, run) =>
      guard(
        "put service run",
        () => void serviceRuns.set(key(kind, run.clusterId, run.taskId, run.runId), cloneJson(run)),
      ),
    getServiceRun: (kind, clusterId, taskId, runId) =>
      guard("get service run", () => cloneJson(serviceRuns.get(key(kind, clusterId, taskId, runId)))),
    listServiceRuns: (kind, clusterId, taskId, limit) =>
      guard("list service runs", () => {
        const prefix = key(kind, clusterId, taskId, "");
        const list = [...serviceRuns.entries()].filter(([k]) => k.startsWith(prefix)).map(([, r]) => r);
        return applyLimit(
          list.sort((a, b) => compareNewestFirst(a.runId, b.runId)),
          limit,
        ).map(cloneJson);
      }),
    putProgress: (kind, clusterId, taskId, runId, rows: ProgressRow[]) =>
      guard("put progress", () => {
        const runKey = key(kind, clusterId, taskId, runId);
        const bucket = progress.get(runKey) ?? new Map<string, unknown>();
        for (const row of rows) bucket.set(row.key, cloneJson(row.value ?? null));
        progress.set(runKey, bucket);
      }),
    listProgress: (kind, clusterId, taskId, runId) =>
      guard("list progress", () => {
        const bucket = progress.get(key(kind, clusterId, taskId, runId));
        if (!bucket) return [];
        return [...bucket.entries()]
          .sort(([a], [b]) => compareText(a, b))
          .map(([k, value]) => ({ key: k, value: cloneJson(value) }));
      }),
    deleteProgress: (kind, clusterId, taskId, runId) =>
      guard("delete progress", () => void progress.delete(key(kind, clusterId, taskId, runId))),

    close: async () => {
      closed = true;
    },
  };
}
