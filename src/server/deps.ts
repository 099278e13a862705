/**
 * What the REST routes receive.
 * @module
 */
import type { Registry } from "prom-client";
import type { ServerConfig } from "../config/server.ts";
import type { Manager } from "../manager/manager.ts";
import type { Store } from "../store/store.ts";
import type { Logger } from "../util/log.ts";

/** Dependencies shared by every route module (`registerXxxRoutes(app, deps)`). */
export interface ServerDeps {
  config: ServerConfig;
  logger: Logger;
  metrics: Registry;
  store: Store;
  /** The running Manager (scheduler, task and suspend services); absent only in route tests without a scheduler. */
  manager?: Manager;
}
