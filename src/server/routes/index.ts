/**
 * Every REST route module. To add one: one import line and one call line below.
 * @module
 */
import type { Hono } from "hono";
import type { ServerDeps } from "../deps.ts";
import { registerClusterRoutes } from "./clusters.ts";
import { registerStatusRoutes } from "./status.ts";
import { registerSchedulerRoutes } from "./tasks.ts";
import { registerVersionRoutes } from "./version.ts";

/** Registers all routes on `app`. */
export function registerRoutes(app: Hono, deps: ServerDeps): void {
  registerVersionRoutes(app, deps);
  registerClusterRoutes(app, deps);
  registerStatusRoutes(app, deps);
  registerSchedulerRoutes(app, deps);
}
