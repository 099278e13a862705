/**
 * `GET /api/v1/openapi.json`: SM's swagger 2.0 contract plus our extensions (bearer-token auth, this endpoint).
 * The contract is read once from `SCYLLA_MANAGER_OPENAPI_FILE` or the shared contracts folder next to the repository.
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Hono } from "hono";
import type { ServerDeps } from "../deps.ts";
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

function contractFile(): string | undefined {
  const fromEnv = process.env.SCYLLA_MANAGER_OPENAPI_FILE;
  if (fromEnv) return fromEnv;
  const shared = fileURLToPath(new URL("../../../../shared/contracts/scylla-manager.json", import.meta.url));
  return existsSync(shared) ? shared : undefined;
}

/** SM's contract merged with our extensions; without the contract file, a stub with the extensions only. */
export function buildOpenApiDocument(): OpenApiDoc {
  const file = contractFile();
  const base: OpenApiDoc = file
    ? (JSON.parse(readFileSync(file, "utf8")) as OpenApiDoc)
    : { swagger: "2.0", info: { title: "Scylla Manager API", version: "1.2.0" }, basePath: API_PREFIX, paths: {} };
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
