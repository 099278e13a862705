/**
 * `GET /api/v1/openapi.json`: SM's swagger 2.0 contract plus our extensions (bearer-token auth, this endpoint).
 * The contract ships inside the build (`src/server/openapi/scylla-manager.json`); `SCYLLA_MANAGER_OPENAPI_FILE`
 * overrides it (e.g. to serve a newer SM contract without rebuilding).
 * @module
 */
import { readFileSync } from "node:fs";
import type { Hono } from "hono";
import type { ServerDeps } from "../deps.ts";
import bundledContract from "../openapi/scylla-manager.json" with { type: "json" };
import { API_PREFIX } from "./tasks-common.ts";

type OpenApiDoc = Record<string, unknown> & { paths?: Record<string, unknown> };

/** What we add to SM's API, described in swagger terms. */
const EXTENSIONS = {
  securityDefinitions: {
    bearer: {
      type: "apiKey",
      in: "header",
      name: "Authorization",
      description: "Extension: when the server config sets auth_token, every call except /ping needs `Bearer <token>`.",
    },
  },
  paths: {
    "/cluster/{cluster_id}/tasks/{task_type}/target": {
      post: {
        summary: "Extension: the dry-run target of GET .../target, with the TaskUpdate in a POST body",
        responses: { "200": { description: "the type's target" } },
      },
    },
    "/openapi.json": {
      get: {
        summary: "This document: SM's API contract plus this server's extensions",
        responses: { "200": { description: "swagger 2.0 document" } },
      },
    },
  },
};

/** SM's contract merged with our extensions. */
export function buildOpenApiDocument(): OpenApiDoc {
  const file = process.env.SCYLLA_MANAGER_OPENAPI_FILE;
  const base: OpenApiDoc = file
    ? (JSON.parse(readFileSync(file, "utf8")) as OpenApiDoc)
    : (structuredClone(bundledContract) as OpenApiDoc);
  return {
    ...base,
    securityDefinitions: { ...(base.securityDefinitions as object), ...EXTENSIONS.securityDefinitions },
    paths: { ...base.paths, ...EXTENSIONS.paths },
  };
}

/** Registers `GET /api/v1/openapi.json`. */
export function registerOpenApiRoutes(app: Hono, _deps: ServerDeps): void {
  let document: OpenApiDoc | undefined;
  app.get(`${API_PREFIX}/openapi.json`, (c) => {
    document ??= buildOpenApiDocument();
    return c.json(document);
  });
}
