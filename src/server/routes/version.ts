/**
 * `GET /api/v1/version`, `GET /version` (`{"version": ...}`) and `GET /ping` (204).
 * @module
 */
import type { Hono } from "hono";
import * as v from "valibot";
import type { ServerDeps } from "../deps.ts";
import { MANAGER_VERSION } from "../version.ts";

/** The answer of GET /version (SM's Version). */
export const VersionSchema = v.object({ version: v.string() });

/** Registers the version and ping routes. */
export function registerVersionRoutes(app: Hono, _deps: ServerDeps): void {
  const version: v.InferOutput<typeof VersionSchema> = { version: MANAGER_VERSION };
  app.get("/api/v1/version", (c) => c.json(version));
  app.get("/version", (c) => c.json(version));
  app.get("/ping", (c) => c.body(null, 204));
}
