/**
 * `/agent/*` (SM's `pkg/cmd/agent/router.go`): node_info, cloud metadata, CPU pinning, memory release, terminate, and the rc server.
 * @module
 */
import type { Logger } from "../src/util/log.ts";
import type { CloudMetadata } from "./cloud-metadata.ts";
import type { AgentConfig } from "./config.ts";
import { fetchNodeInfo, nodeInfoJson } from "./node-info.ts";
import { omitEmpty } from "./omit-empty.ts";
import { allCpus, getCpuAffinity, selectPinnedCpus, setCpuAffinity } from "./pin-cpu.ts";
import type { RcRequest } from "./rc/server.ts";
import type { ScyllaConfigClient } from "./scylla-config.ts";

export interface AgentRoutesDeps {
  config: AgentConfig;
  scylla: ScyllaConfigClient;
  cloud: CloudMetadata;
  handleRc: (request: RcRequest) => Promise<Response>;
  /** `POST /agent/terminate`; default: SIGTERM to this process, as SM does. */
  terminate: () => void;
  logger: Logger;
}

const RC_PREFIX = "/agent/rclone/";

/** Go's `render.Respond(err)`-style error: `{"message":..., "code":...}`. */
function errorResponse(status: number, error: unknown): Response {
  const message = error instanceof Error ? error.message : String(error);
  return Response.json({ message, code: status }, { status });
}

/** Handles one authenticated `/agent/...` request. */
export async function routeAgent(
  deps: AgentRoutesDeps,
  request: Request,
  url: URL,
  remoteAddress: string,
): Promise<Response> {
  const path = url.pathname;
  if (path.startsWith(RC_PREFIX)) {
    return deps.handleRc({ request, url, call: path.slice(RC_PREFIX.length), remoteAddress });
  }
  const key = `${request.method} ${path}`;
  try {
    switch (key) {
      case "GET /agent/node_info":
        return Response.json(nodeInfoJson(await fetchNodeInfo(deps.config, deps.scylla)));
      case "GET /agent/cloud/metadata":
        // Zero values omitted as SM's model does: `{}` when no cloud answered.
        return Response.json(omitEmpty(await deps.cloud.get()));
      case "GET /agent/pin_cpu":
        return Response.json({ cpu: await getCpuAffinity() });
      case "POST /agent/pin_cpu": {
        const cpus = await selectPinnedCpus(deps.config.cpu);
        if (cpus !== undefined) await setCpuAffinity(cpus);
        return new Response(null, { status: 200 });
      }
      case "DELETE /agent/pin_cpu":
        await setCpuAffinity(allCpus());
        return new Response(null, { status: 200 });
      case "POST /agent/free_os_memory":
        Bun.gc(true);
        return new Response(null, { status: 200 });
      case "POST /agent/terminate":
        deps.logger.info("terminate requested through the API");
        setTimeout(deps.terminate, 10);
        return new Response(null, { status: 200 });
    }
  } catch (error) {
    deps.logger.error(`${key}: ${(error as Error).message}`);
    return errorResponse(500, error);
  }
  return new Response("404 page not found\n", {
    status: 404,
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}
