/**
 * `GET /api/v1/openapi.json`: the swagger 2.0 description of this server's API, generated from its own route schemas
 * (src/server/openapi/document.ts) once per process.
 * @module
 */
import type { Hono } from "hono";
import type { ServerDeps } from "../deps.ts";
import { buildOpenApiDocument } from "../openapi/document.ts";
import { API_PREFIX } from "./tasks-common.ts";

/** Registers `GET /api/v1/openapi.json`. */
export function registerOpenApiRoutes(app: Hono, _deps: ServerDeps): void {
  let document: ReturnType<typeof buildOpenApiDocument> | undefined;
  app.get(`${API_PREFIX}/openapi.json`, (c) => {
    document ??= buildOpenApiDocument();
    return c.json(document);
  });
}
