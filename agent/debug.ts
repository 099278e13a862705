/**
 * The `debug` listener (SM: pprof on `127.0.0.1:5112`). We have no pprof; it serves what helps with memory and
 * load questions in a JS runtime: `GET /debug/memory` (process memory and, under Bun, JSC heap statistics) and
 * `POST /debug/gc` (a full collection, then the same numbers). Plain HTTP, no auth, so keep it on loopback.
 * @module
 */
import type { Server } from "bun";
import { splitHostPort } from "./config.ts";
import { badHostResponse, internalErrorResponse, requestUrl } from "./http-safety.ts";

async function memoryReport(): Promise<Record<string, unknown>> {
  const report: Record<string, unknown> = { process: process.memoryUsage() };
  try {
    const jsc = await import("bun:jsc");
    const { heapSize, heapCapacity, extraMemorySize, objectCount } = jsc.heapStats();
    report.heap = { heapSize, heapCapacity, extraMemorySize, objectCount };
  } catch {
    // not Bun: process numbers only
  }
  return report;
}

/** Starts the debug listener on `address` (host:port). */
export function startDebugServer(address: string): Server<undefined> {
  const { host, port } = splitHostPort(address);
  return Bun.serve({
    hostname: host,
    port,
    development: false,
    // Bun turns SO_REUSEPORT on when development is off: a second server on the port would then share it silently.
    reusePort: false,
    error: internalErrorResponse,
    fetch: async (request) => {
      const url = requestUrl(request);
      if (url === undefined) return badHostResponse();
      const path = url.pathname;
      if (request.method === "GET" && path === "/debug/memory") return Response.json(await memoryReport());
      if (request.method === "POST" && path === "/debug/gc") {
        Bun.gc(true);
        return Response.json(await memoryReport());
      }
      return new Response("404 page not found\n", { status: 404 });
    },
  });
}
