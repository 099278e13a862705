/**
 * What every agent listener (HTTPS API, metrics, debug) does before routing: refuse a missing or malformed Host
 * header with a 400 (Bun builds `request.url` from it, so `Host: x/api?` would change the routed path), and answer
 * uncaught errors with a bare 500 (every `Bun.serve` here sets `development: false`: no error pages with stacks; and `reusePort: false`, which Bun would otherwise turn on with it).
 * @module
 */
import { isValidHostHeader } from "../src/util/input-limits.ts";

/**
 * The request's URL, or undefined when its Host header is missing or malformed (`a@b`, `x/path?`): Bun builds the
 * URL from the Host header, so a bad one would change the path we route on.
 */
export function requestUrl(request: Request): URL | undefined {
  const host = request.headers.get("host");
  if (host === null || !isValidHostHeader(host)) return undefined;
  try {
    return new URL(request.url);
  } catch {
    return undefined;
  }
}

/** 400 for a missing or malformed Host header, in Scylla's error shape (what SM's clients read). */
export function badHostResponse(): Response {
  return Response.json({ message: "malformed Host header", code: 400 }, { status: 400 });
}

/** The answer to an error no handler caught: no stack, no message, no development page. */
export function internalErrorResponse(): Response {
  return Response.json({ message: "internal server error", code: 500 }, { status: 500 });
}
