/**
 * One node's Scylla REST listener (`<ip>:10000`): routing, Scylla's error bodies, request faults. Scylla answers
 * with `Content-Type: text/plain` bodies that are JSON literals (hence SM's fixContentType); we do the same.
 * @module
 */
import type { RequestFaults } from "../faults/faults.ts";
import type { Closable } from "../faults/port-slot.ts";
import type { NodeContext } from "../node-context.ts";
import { SchemaError } from "../schema/types.ts";
import { RestError } from "./rest-error.ts";
import type { RestRouter } from "./router.ts";

const HEADERS = { "content-type": "text/plain" };

/** Scylla's error response. */
export function errorResponse(status: number, message: string): Response {
  return new Response(JSON.stringify({ message, code: status }), { status, headers: HEADERS });
}

/** Turns a handler result into Scylla's response. */
function toResponse(result: unknown): Response {
  if (result instanceof Response) return result;
  if (result === undefined) return new Response("", { status: 200, headers: HEADERS });
  return new Response(JSON.stringify(result), { status: 200, headers: HEADERS });
}

/** Creates the fetch handler of a node's REST API (also used in-process by tests). */
export function createRestHandler(
  node: NodeContext,
  router: RestRouter,
  faults?: RequestFaults,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const url = new URL(request.url);
    const fault = faults?.check(node.ip, request.method, url.pathname);
    if (fault !== undefined && fault.delayMs > 0) await Bun.sleep(fault.delayMs);
    if (fault?.error !== undefined) {
      return new Response(JSON.stringify(fault.error.body), { status: fault.error.status, headers: HEADERS });
    }
    const matched = router.match(request.method, url.pathname);
    if (matched === undefined) return errorResponse(404, "Not found");
    try {
      const result = await matched.route.handler({
        method: request.method,
        path: url.pathname,
        params: matched.params,
        query: url.searchParams,
        request,
        signal: request.signal,
        node,
      });
      const response = toResponse(result);
      if (fault?.holdAnswer !== undefined) await fault.holdAnswer;
      return response;
    } catch (err) {
      if (fault?.holdAnswer !== undefined) await fault.holdAnswer;
      if (err instanceof RestError) return errorResponse(err.status, err.message);
      if (err instanceof SchemaError) return errorResponse(400, err.message);
      return errorResponse(500, err instanceof Error ? err.message : String(err));
    }
  };
}

/** Listens on `<ip>:<restPort>`. idleTimeout is off: repair_status and wait_task block for as long as the job runs. */
export function startRestServer(node: NodeContext, router: RestRouter, faults?: RequestFaults): Closable {
  const fetch = createRestHandler(node, router, faults);
  const server = Bun.serve({
    hostname: node.ip,
    port: node.settings.restPort,
    idleTimeout: 0,
    development: false,
    // Bun turns SO_REUSEPORT on when development is off: a second server on the port would then share it silently.
    reusePort: false,
    fetch,
  });
  return { close: () => server.stop(true) };
}
