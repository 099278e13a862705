/**
 * Every REST route module. To add one: one import line and one call line below.
 * @module
 */
import type { Hono } from "hono";
import type { ServerDeps } from "../deps.ts";
import { registerConsoleRoutes } from "../web/console.ts";
import { registerUiRoutes } from "../web/ui.ts";
import { registerBackupRoutes } from "./backups.ts";
import { registerClusterRoutes } from "./clusters.ts";
import { registerLeaderRoutes } from "./leader.ts";
import { registerOpenApiRoutes } from "./openapi.ts";
import { registerRepairRoutes } from "./repairs.ts";
import { registerStatusRoutes } from "./status.ts";
import { registerSchedulerRoutes } from "./tasks.ts";
import { registerVersionRoutes } from "./version.ts";

/** Registers all routes on `app`. */
export function registerRoutes(app: Hono, deps: ServerDeps): void {
  registerVersionRoutes(app, deps);
  registerClusterRoutes(app, deps);
  registerStatusRoutes(app, deps);
  registerSchedulerRoutes(app, deps);
  registerRepairRoutes(app, deps);
  registerBackupRoutes(app, deps);
  registerLeaderRoutes(app, deps);
  registerOpenApiRoutes(app, deps);
  registerUiRoutes(app);
  registerConsoleRoutes(app);
}
