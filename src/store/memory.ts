/**
 * In-memory Store: for tests and for library use on plain Node. Runtime-neutral. Values are deep-copied on the way
 * in and out (through JSON, as a persistent store would), so callers never share objects with the stored state.
 * @module
 */
import { StoreError } from "../errors.ts";
import { applyLimit, cloneJson, compareText, sortNewestFirst, timeSortKey } from "./keys.ts";
import type {
  ClusterRecord,
  ProgressRow,
  RunRecord,
  ServiceRunRecord,
  Store,
  StoreWrite,
  TaskFilter,
  TaskRecord,
} from "./store.ts";

const SEP = "\u0000";
const key = (...parts: string[]) => parts.join(SEP);

/** Creates an empty in-memory store; its state is lost when the process exits. */
export function createMemoryStore(): Store {
  const clusters = new Map<string, ClusterRecord>();
  const secrets = new Map<string, Map<string, Uint8Array>>();
  const drawer = new Map<string, string>();
  const tasks = new Map<string, TaskRecord>();
  const runs = new Map<string, Map<string, RunRecord>>(); // (cluster, type, task) → run id → run
  const serviceRuns = new Map<string, Map<string, ServiceRunRecord>>(); // (kind, cluster, task) → runId → run
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

  /** The writes that batches can hold; each one synchronous, so a batch of them cannot be interleaved. */
  function apply(write: StoreWrite): void {
    switch (write.op) {
      case "putCluster":
        clusters.set(write.cluster.id, cloneJson(write.cluster));
        return;
      case "putDrawer":
        drawer.set(key(write.clusterId, write.key), JSON.stringify(write.value ?? null));
        return;
      case "deleteDrawer":
        drawer.delete(key(write.clusterId, write.key));
        return;
      case "putTask":
        tasks.set(key(write.task.clusterId, write.task.type, write.task.id), cloneJson(write.task));
        return;
      case "putRun": {
        const taskKey = key(write.run.clusterId, write.run.type, write.run.taskId);
        const bucket = runs.get(taskKey) ?? new Map<string, RunRecord>();
        bucket.set(write.run.id, cloneJson(write.run));
        runs.set(taskKey, bucket);
        return;
      }
      case "putServiceRun": {
        const taskKey = key(write.kind, write.run.clusterId, write.run.taskId);
        const bucket = serviceRuns.get(taskKey) ?? new Map<string, ServiceRunRecord>();
        bucket.set(write.run.runId, cloneJson(write.run));
        serviceRuns.set(taskKey, bucket);
        return;
      }
      case "putProgress": {
        const runKey = key(write.kind, write.clusterId, write.taskId, write.runId);
        const bucket = progress.get(runKey) ?? new Map<string, unknown>();
        for (const row of write.rows) bucket.set(row.key, cloneJson(row.value ?? null));
        progress.set(runKey, bucket);
        return;
      }
      case "deleteProgress": {
        const runKey = key(write.kind, write.clusterId, write.taskId, write.runId);
        if (write.keys === undefined) progress.delete(runKey);
        else for (const rowKey of write.keys) progress.get(runKey)?.delete(rowKey);
        return;
      }
    }
  }

  return {
    putCluster: (cluster) => guard("put cluster", () => apply({ op: "putCluster", cluster })),
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
      guard("put drawer", () => apply({ op: "putDrawer", clusterId, key: name, value })),
    getDrawer: (clusterId, name) =>
      guard("get drawer", () => {
        const text = drawer.get(key(clusterId, name));
        return text === undefined ? undefined : (JSON.parse(text) as unknown);
      }),
    deleteDrawer: (clusterId, name) =>
      guard("delete drawer", () => apply({ op: "deleteDrawer", clusterId, key: name })),

    putTask: (task) => guard("put task", () => apply({ op: "putTask", task })),
    getTask: (clusterId, type, id) => guard("get task", () => cloneJson(tasks.get(key(clusterId, type, id)))),
    listTasks: (clusterId, filter) =>
      guard("list tasks", () =>
        filterTasks(
          [...tasks.values()].filter((t) => t.clusterId === clusterId),
          filter,
        ),
      ),
    listAllTasks: (filter) => guard("list tasks", () => filterTasks([...tasks.values()], filter)),

    putRun: (run) => guard("put run", () => apply({ op: "putRun", run })),
    getRun: (clusterId, type, taskId, runId) =>
      guard("get run", () => cloneJson(runs.get(key(clusterId, type, taskId))?.get(runId))),
    listRuns: (clusterId, type, taskId, limit) =>
      guard("list runs", () => {
        const list = [...(runs.get(key(clusterId, type, taskId))?.values() ?? [])];
        return applyLimit(
          sortNewestFirst(list, (r) => r.id),
          limit,
        ).map(cloneJson);
      }),
    listRunsByStatus: (status) =>
      guard("list runs", () =>
        [...runs.values()]
          .flatMap((bucket) => [...bucket.values()])
          .filter((r) => r.status === status)
          .sort(
            (a, b) =>
              compareText(a.clusterId, b.clusterId) ||
              compareText(a.type, b.type) ||
              compareText(a.taskId, b.taskId) ||
              compareText(timeSortKey(b.id), timeSortKey(a.id)),
          )
          .map(cloneJson),
      ),

    putServiceRun: (kind, run) => guard("put service run", () => apply({ op: "putServiceRun", kind, run })),
    getServiceRun: (kind, clusterId, taskId, runId) =>
      guard("get service run", () => cloneJson(serviceRuns.get(key(kind, clusterId, taskId))?.get(runId))),
    listServiceRuns: (kind, clusterId, taskId, limit) =>
      guard("list service runs", () => {
        const list = [...(serviceRuns.get(key(kind, clusterId, taskId))?.values() ?? [])];
        return applyLimit(
          sortNewestFirst(list, (r) => r.runId),
          limit,
        ).map(cloneJson);
      }),
    putProgress: (kind, clusterId, taskId, runId, rows: ProgressRow[]) =>
      guard("put progress", () => apply({ op: "putProgress", kind, clusterId, taskId, runId, rows })),
    listProgress: (kind, clusterId, taskId, runId) =>
      guard("list progress", () => {
        const bucket = progress.get(key(kind, clusterId, taskId, runId));
        if (!bucket) return [];
        return [...bucket.entries()]
          .sort(([a], [b]) => compareText(a, b))
          .map(([k, value]) => ({ key: k, value: cloneJson(value) }));
      }),
    deleteProgress: (kind, clusterId, taskId, runId, keys) =>
      guard("delete progress", () =>
        apply({ op: "deleteProgress", kind, clusterId, taskId, runId, ...(keys ? { keys: [...keys] } : {}) }),
      ),

    batch: (writes) =>
      guard("write batch", () => {
        // Copy first: a value that cannot be serialised throws here, before anything is applied.
        const copies = writes.map((w) => cloneJson(w));
        for (const write of copies) apply(write);
      }),

    close: async () => {
      closed = true;
    },
  };
}
