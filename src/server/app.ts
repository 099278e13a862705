/**
 * The REST application: trace ids, request logging, optional bearer auth, SM's error model, then the routes.
 * @module
 */
import { timingSafeEqual } from "node:crypto";
import { Hono } from "hono";
import type { ServerDeps } from "./deps.ts";
import { createTraceId, getTraceId, notFoundBody, toErrorResponse } from "./errors.ts";
import { registerRoutes } from "./routes/index.ts";

/** Paths that stay open when `auth_token` is set, so load balancers can probe the server. */
const OPEN_PATHS = new Set(["/ping"]);

/** Builds the Hono app serving SM's REST API for `deps`. */
export function createApp(deps: ServerDeps): Hono {
  const app = new Hono();
  const { logger } = deps;

  app.use(async (c, next) => {
    const traceId = createTraceId();
    c.set("traceId" as never, traceId as never);
    const started = performance.now();
    await next();
    const fields = {
      trace_id: traceId,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      duration: `${Math.round(performance.now() - started)}ms`,
    };
    if (c.res.status >= 500) logger.error("HTTP request", fields);
    else logger.debug("HTTP request", fields);
  });

  const token = deps.config.auth_token;
  if (token !== "") {
    // Our extension: SM's REST API has no authentication; with auth_token set every call needs `Bearer <token>`.
    const expected = Buffer.from(`Bearer ${token}`);
    app.use(async (c, next) => {
      if (OPEN_PATHS.has(c.req.path)) return next();
      const given = Buffer.from(c.req.header("authorization") ?? "");
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return c.json(
          {
            message: "unauthorized: missing or wrong API token",
            details: "pass --api-token or set SCYLLA_MANAGER_API_TOKEN to the server's auth_token",
            trace_id: getTraceId(c),
          },
          401,
        );
      }
      return next();
    });
  }

  app.onError((error, c) => {
    const traceId = getTraceId(c);
    const { status, body } = toErrorResponse(error, traceId);
    if (status >= 500) logger.error(body.message, { trace_id: traceId, method: c.req.method, path: c.req.path });
    else logger.info(body.message, { trace_id: traceId, status, method: c.req.method, path: c.req.path });
    return c.json(body, status);
  });
  app.notFound((c) => c.json(notFoundBody(c.req.path, getTraceId(c)), 404));

  registerRoutes(app, deps);
  return app;
}
