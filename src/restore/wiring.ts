/**
 * Registers the `restore` and `1_1_restore` runners with a Manager (one RestoreService per Manager), beside the
 * cluster services.
 * @module
 */

import type { Registry } from "prom-client";
import type { ServerConfig } from "../config/server.ts";
import { ensureClusterServices } from "../healthcheck/wiring.ts";
import type { Manager } from "../manager/manager.ts";
import type { Store } from "../store/store.ts";
import type { Logger } from "../util/log.ts";
import { RestoreMetrics } from "./metrics.ts";
import { One2OneMetrics } from "./one2one/metrics.ts";
import { One2OneRestoreService } from "./one2one/service.ts";
import { RestoreService } from "./service.ts";

const attached = new WeakMap<object, RestoreService>();

export interface RestoreWiringDeps {
  store: Store;
  config?: Partial<Pick<ServerConfig, "restore" | "healthcheck" | "agent_client" | "client_cache_timeout">>;
  logger?: Logger;
  manager?: Manager;
  metrics?: Registry;
}

/** The RestoreService of `deps.manager`, created (and its runner registered) on first use. */
export function ensureRestoreService(deps: RestoreWiringDeps): RestoreService {
  const key = deps.manager ?? deps.store;
  const existing = attached.get(key);
  if (existing) return existing;
  const { clusters } = ensureClusterServices(deps);
  const restore = deps.config?.restore;
  const service = new RestoreService({
    store: deps.store,
    clusters,
    logger: deps.logger,
    metrics: deps.metrics ? new RestoreMetrics(deps.metrics) : undefined,
    timings: {
      diskFreeMinPercent: restore?.disk_space_free_min_percent ?? 10,
      jobPollSeconds: restore?.long_polling_timeout_seconds ?? 10,
    },
  });
  deps.manager?.registerRunner("restore", service);
  deps.manager?.registerRunner(
    "1_1_restore",
    new One2OneRestoreService({
      store: deps.store,
      clusters,
      restore: service,
      metrics: deps.metrics ? new One2OneMetrics(deps.metrics) : undefined,
    }),
  );
  attached.set(key, service);
  return service;
}
