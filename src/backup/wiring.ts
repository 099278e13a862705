/**
 * Registers the `backup` runner with a Manager (one BackupService per Manager), beside the cluster services.
 * @module
 */
import type { Registry } from "prom-client";
import type { ServerConfig } from "../config/server.ts";
import { ensureClusterServices } from "../healthcheck/wiring.ts";
import type { Manager } from "../manager/manager.ts";
import type { Store } from "../store/store.ts";
import type { Logger } from "../util/log.ts";
import { BackupMetrics } from "./metrics.ts";
import { BackupService } from "./service.ts";

const attached = new WeakMap<object, BackupService>();

export interface BackupWiringDeps {
  store: Store;
  config?: Partial<Pick<ServerConfig, "backup" | "healthcheck" | "agent_client" | "client_cache_timeout">>;
  logger?: Logger;
  metrics?: Registry;
  manager?: Manager;
}

/** The BackupService of `deps.manager`, created (and its runner registered) on first use. */
export function ensureBackupService(deps: BackupWiringDeps): BackupService {
  const key = deps.manager ?? deps.store;
  const existing = attached.get(key);
  if (existing) return existing;
  const { clusters } = ensureClusterServices(deps);
  const backup = deps.config?.backup;
  const service = new BackupService({
    store: deps.store,
    clusters,
    logger: deps.logger,
    metrics: deps.metrics ? new BackupMetrics(deps.metrics) : undefined,
    config: {
      diskSpaceFreeMinPercent: backup?.disk_space_free_min_percent ?? 10,
      longPollingTimeoutSeconds: backup?.long_polling_timeout_seconds ?? 10,
      ageMaxMs: backup?.age_max ?? 24 * 3_600_000,
    },
  });
  deps.manager?.registerRunner("backup", service);
  attached.set(key, service);
  return service;
}
