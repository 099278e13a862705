/**
 * The REST application: trace ids, request logging, optional bearer auth, the body limit, SM's error model, then the
 * routes.
 *
 * Bounded input is a property of the app, not of each route: every request body is limited to
 * `INPUT_LIMITS.bodyBytes` (413 `request body too large`, declared or chunked; the daemon's listener refuses it even
 * before the app), and request schemas are built from the bounded blocks of `src/util/input-limits.ts` (400 naming
 * the field and the limit). A new route gets the body limit for free; give its schema bounded fields.
 * @module
 */
import { timingSafeEqual } from "node:crypto";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { INPUT_LIMITS } from "../util/input-limits.ts";
import type { ServerDeps } from "./deps.ts";
import { bodyTooLarge, createTraceId, getTraceId, notFoundBody, toErrorResponse } from "./errors.ts";
import { registerRoutes } from "./routes/index.ts";

/** Paths that stay open when `auth_token` is set, so load balancers can probe the server. */
const OPEN_PATHS = new Set(["/ping", "/ui", "/console"]);

/**
 * The API explorer's and the console's static files stay open too: they hold no data, and they are what asks the
 * user for the token (every API call they make carries it).
 */
const isOpenPath = (path: string) => OPEN_PATHS.has(path) || path.startsWith("/ui/") || path.startsWith("/console/");

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
      if (isOpenPath(c.req.path)) return next();
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

  app.use(
    bodyLimit({
      maxSize: INPUT_LIMITS.bodyBytes,
      onError: () => {
        throw bodyTooLarge(INPUT_LIMITS.bodyBytes);
      },
    }),
  );

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
