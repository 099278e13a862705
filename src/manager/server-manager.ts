/**
 * The Manager of the daemon, built from the server's deps: pass it as `startDaemon(files, { createManager })`.
 * @module
 */
import type { Registry } from "prom-client";
import type { ServerConfig } from "../config/server.ts";
import type { Store } from "../store/store.ts";
import type { Logger } from "../util/log.ts";
import { Manager } from "./manager.ts";

/** The daemon's deps the Manager needs (structural: ServerDeps without `manager`). */
export interface ServerManagerDeps {
  config: ServerConfig;
  logger: Logger;
  metrics: Registry;
  store: Store;
}

/**
 * A Manager for the daemon. The internal `mock` task type is registered only when SCYLLA_MANAGER_TEST_RUNNERS=1
 * (e2e tests).
 */
export function createServerManager(deps: ServerManagerDeps): Manager {
  return new Manager({ store: deps.store, logger: deps.logger, metrics: deps.metrics, config: deps.config });
}
