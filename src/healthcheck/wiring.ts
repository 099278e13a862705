/**
 * Wires the cluster and health-check services into a running Manager without touching its code: one
 * ClusterService + HealthCheckService per Manager (a WeakMap), the `healthcheck` runner registered, and the default
 * tasks created / tasks soft-deleted through the manager's task service when clusters come and go.
 * @module
 */
import type { Registry } from "prom-client";
import { makeDefaultTasks, planHealthcheckCronSync } from "../cluster/default-tasks.ts";
import { ClusterService } from "../cluster/service.ts";
import type { ServerConfig } from "../config/server.ts";
import type { Store, TaskRecord } from "../store/store.ts";
import type { Logger } from "../util/log.ts";
import { HealthcheckMetrics } from "./metrics.ts";
import { HealthcheckRunner } from "./runner.ts";
import { HealthCheckService } from "./service.ts";

/** What the wiring needs from E's Manager (structural, so either side can evolve). */
export interface ManagerHooks {
  registerRunner?(type: string, runner: { run(ctx: never): Promise<void> }): void;
  /** Whether a runner of this type is registered (decides `repair/all-weekly`). */
  hasRunner?(type: string): boolean;
  /** Creates a task and schedules it. */
  createTask?(task: TaskRecord): Promise<unknown>;
  /** Soft-deletes and unschedules every task of a cluster. */
  deleteClusterTasks?(clusterId: string): Promise<unknown>;
  /** The task service; `update` rewrites and reschedules a task. */
  tasks?: { update?(task: TaskRecord): Promise<unknown> };
}

/** The services the REST routes and sctool-facing code use. */
export interface ClusterServices {
  clusters: ClusterService;
  healthcheck: HealthCheckService;
  metrics?: HealthcheckMetrics;
  /** Settles when the start-up work (healthcheck cron sync) is done. */
  ready: Promise<void>;
}

export interface ClusterServicesDeps {
  store: Store;
  config?: Partial<Pick<ServerConfig, "healthcheck" | "agent_client" | "client_cache_timeout">>;
  logger?: Logger;
  metrics?: Registry;
  manager?: object;
}

const attached = new WeakMap<object, ClusterServices>();

/** The services attached to `deps.manager` (or `deps.store` without a manager), created on first use. */
export function ensureClusterServices(deps: ClusterServicesDeps): ClusterServices {
  const key = deps.manager ?? deps.store;
  const existing = attached.get(key);
  if (existing) return existing;
  const services = createClusterServices(deps);
  attached.set(key, services);
  return services;
}

function toBackoff(value: {
  wait_min: number;
  wait_max: number;
  max_retries: number;
  multiplier: number;
  jitter: number;
}) {
  return {
    waitMinMs: value.wait_min,
    waitMaxMs: value.wait_max,
    maxRetries: value.max_retries,
    multiplier: value.multiplier,
    jitter: value.jitter,
  };
}

/** Builds the services and hooks them into the manager. */
function createClusterServices(deps: ClusterServicesDeps): ClusterServices {
  const { config, logger } = deps;
  const agentClient = config?.agent_client;
  const clusters = new ClusterService({
    store: deps.store,
    logger,
    clientCacheTtlMs: config?.client_cache_timeout,
    agentClient: agentClient
      ? {
          timeoutMs: agentClient.timeout,
          maxTimeoutMs: agentClient.max_timeout,
          backoff: toBackoff(agentClient.backoff),
          interactiveBackoff: toBackoff(agentClient.interactive_backoff),
        }
      : undefined,
  });
  const metrics = deps.metrics ? new HealthcheckMetrics(deps.metrics) : undefined;
  const healthcheck = new HealthCheckService({
    clusters,
    timeoutMs: config?.healthcheck?.max_timeout,
    nodeInfoTtlMs: config?.healthcheck?.node_info_ttl,
    metrics,
    logger,
  });
  const manager = deps.manager as ManagerHooks | undefined;
  manager?.registerRunner?.("healthcheck", new HealthcheckRunner(healthcheck));
  clusters.addListener({
    async onClusterCreated(cluster, { withoutRepair }) {
      metrics?.setClusterName(cluster.id, cluster.name || cluster.id);
      const tasks = makeDefaultTasks(cluster.id, {
        crons: config?.healthcheck,
        withoutRepair,
        repairAvailable: manager?.hasRunner?.("repair") ?? false,
      });
      for (const task of tasks) {
        if (manager?.createTask) await manager.createTask(task);
        else await deps.store.putTask(task);
      }
    },
    async onClusterUpdated(cluster) {
      healthcheck.forget(cluster.id);
      metrics?.setClusterName(cluster.id, cluster.name || cluster.id);
    },
    async onClusterDeleted(clusterId) {
      healthcheck.forget(clusterId);
      if (manager?.deleteClusterTasks) {
        await manager.deleteClusterTasks(clusterId);
        return;
      }
      for (const task of await deps.store.listTasks(clusterId)) {
        await deps.store.putTask({ ...task, deleted: true, enabled: false, name: "" });
      }
    },
  });
  const sync = syncHealthcheckCrons(deps.store, config?.healthcheck ?? {}, manager);
  sync.catch((error: unknown) =>
    logger?.warn(`sync healthcheck crons: ${error instanceof Error ? error.message : error}`),
  );
  return { clusters, healthcheck, metrics, ready: sync.catch(() => undefined) };
}

/** Rewrites the cron of existing healthcheck tasks that differ from the config (SM does it at every start). */
async function syncHealthcheckCrons(
  store: Store,
  crons: Parameters<typeof planHealthcheckCronSync>[1],
  manager?: ManagerHooks,
): Promise<void> {
  for (const task of planHealthcheckCronSync(await store.listAllTasks({ type: "healthcheck" }), crons)) {
    if (manager?.tasks?.update) await manager.tasks.update(task);
    else await store.putTask(task);
  }
}
