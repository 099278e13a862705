/**
 * Wires the repair service into a Manager: one RepairService per Manager (a WeakMap), its runner registered as
 * `repair` (so new clusters get `repair/all-weekly`), its gateway clients from the cluster service. Call it before
 * `manager.start()`; the REST routes use the same instance.
 * @module
 */
import type { Registry } from "prom-client";
import { openManagedCqlSession } from "../cluster/managed-cql.ts";
import type { ServerConfig } from "../config/server.ts";
import { ensureClusterServices } from "../healthcheck/wiring.ts";
import type { Manager } from "../manager/manager.ts";
import type { Store } from "../store/store.ts";
import type { Logger } from "../util/log.ts";
import { RepairMetrics } from "./metrics.ts";
import { createRepairRunner } from "./runner.ts";
import { RepairService } from "./service.ts";
import { createTabletRepairRunner } from "./tablet.ts";

export interface RepairWiringDeps {
  store: Store;
  config?: Partial<ServerConfig>;
  logger?: Logger;
  metrics?: Registry;
  manager?: Manager;
}

const attached = new WeakMap<object, RepairService>();

/** The repair service of `deps.manager` (or of the store without a manager), created and registered on first use. */
export function ensureRepairService(deps: RepairWiringDeps): RepairService {
  const key = deps.manager ?? deps.store;
  const existing = attached.get(key);
  if (existing) return existing;
  const { clusters } = ensureClusterServices(deps as Parameters<typeof ensureClusterServices>[0]);
  const repair = deps.config?.repair;
  const service = new RepairService({
    store: deps.store,
    client: async (clusterId) => (await clusters.clients(clusterId)).scylla,
    cqlSession: (clusterId) => openManagedCqlSession(clusters, clusterId),
    config: {
      statusTimeoutMs: repair?.status_timeout,
      ageMaxMs: repair?.age_max,
      gracefulStopTimeoutMs: repair?.graceful_stop_timeout,
    },
    logger: deps.logger,
    metrics: deps.metrics ? new RepairMetrics(deps.metrics) : undefined,
  });
  attached.set(key, service);
  deps.manager?.registerRunner("repair", createRepairRunner(service));
  deps.manager?.registerRunner(
    "tablet_repair",
    createTabletRepairRunner({
      store: deps.store,
      client: async (clusterId) => (await clusters.clients(clusterId)).scylla,
      metrics: deps.metrics,
    }),
  );
  return service;
}
