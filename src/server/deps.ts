/**
 * What the REST routes receive.
 * @module
 */
import type { Registry } from "prom-client";
import type { ServerConfig } from "../config/server.ts";
import type { Store } from "../store/store.ts";
import type { Logger } from "../util/log.ts";

/**
 * The part of E's Manager the server skeleton relies on (structural, so the Manager can grow freely).
 * Routes that need more import the Manager type themselves.
 */
export interface ManagerHandle {
  start?(): Promise<void> | void;
  close(): Promise<void> | void;
}

/** Dependencies shared by every route module (`registerXxxRoutes(app, deps)`). */
export interface ServerDeps {
  config: ServerConfig;
  logger: Logger;
  metrics: Registry;
  store: Store;
  /** The running Manager; absent only in route tests that need no scheduler. */
  manager?: ManagerHandle;
}
