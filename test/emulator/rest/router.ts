/**
 * A small router over swagger-style path patterns (`/storage_service/describe_ring/{keyspace}`), so the served
 * routes can be listed and checked against the contracts. B2's storage and repair modules register into it.
 * @module
 */
import type { NodeContext } from "../node-context.ts";

/** A request as a handler sees it. */
export interface RestRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Raw request (for the body). */
  request: Request;
  /** Aborted when the client disconnects or the node stops. */
  signal: AbortSignal;
  node: NodeContext;
}

/**
 * What a handler returns: a `Response` as is, `undefined` for Scylla's empty 200 (json_void), anything else is
 * written as a JSON literal.
 */
export type RestHandler = (req: RestRequest) => unknown | Promise<unknown>;

/** A registered route. */
export interface RestRoute {
  method: string;
  /** Swagger path pattern, with the `/v2` prefix for v2 routes. */
  pattern: string;
  handler: RestHandler;
}

interface Compiled extends RestRoute {
  segments: string[];
}

/** Route table of one node's REST API. */
export class RestRouter {
  readonly #routes: Compiled[] = [];
  readonly #exact = new Map<string, Compiled>();

  /** Registers a route; a duplicate method+pattern is a programming error. */
  add(method: "GET" | "POST" | "DELETE" | "PUT", pattern: string, handler: RestHandler): this {
    const key = `${method} ${pattern}`;
    if (this.#routes.some((r) => `${r.method} ${r.pattern}` === key)) throw new Error(`route ${key} registered twice`);
    const route: Compiled = { method, pattern, handler, segments: pattern.split("/") };
    this.#routes.push(route);
    if (!pattern.includes("{")) this.#exact.set(key, route);
    return this;
  }

  /** Finds the route for a request path (exact segments; `{x}` matches one non-empty segment). */
  match(method: string, path: string): { route: RestRoute; params: Record<string, string> } | undefined {
    const exact = this.#exact.get(`${method} ${path}`);
    if (exact !== undefined) return { route: exact, params: {} };
    const parts = path.split("/");
    for (const route of this.#routes) {
      if (route.method !== method || route.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length && ok; i++) {
        const seg = route.segments[i] ?? "";
        const part = parts[i] ?? "";
        if (seg.startsWith("{") && seg.endsWith("}")) {
          if (part === "") ok = false;
          else params[seg.slice(1, -1)] = decodeURIComponent(part);
        } else ok = seg === part;
      }
      if (ok) return { route, params };
    }
    return undefined;
  }

  /** Every registered route (method and pattern). */
  routes(): Array<{ method: string; pattern: string }> {
    return this.#routes.map((r) => ({ method: r.method, pattern: r.pattern }));
  }
}
