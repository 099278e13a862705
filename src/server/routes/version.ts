/**
 * `GET /api/v1/version`, `GET /version` (`{"version": ...}`) and `GET /ping` (204).
 * @module
 */
import type { Hono } from "hono";
import type { ServerDeps } from "../deps.ts";
import { MANAGER_VERSION } from "../version.ts";

/** Registers the version and ping routes. */
export function registerVersionRoutes(app: Hono, _deps: ServerDeps): void {
  const version = { version: MANAGER_VERSION };
  app.get("/api/v1/version", (c) => c.json(version));
  app.get("/version", (c) => c.json(version));
  app.get("/ping", (c) => c.body(null, 204));
}
