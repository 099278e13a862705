/**
 * `startAgent`: the agent's start-up sequence (SM's `pkg/cmd/agent/server.go`) and its listeners: the HTTPS API (auth, `/agent/*`,
 * the Scylla and Prometheus proxies) and the plain-HTTP metrics listener.
 * @module
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Server } from "bun";
import { ConfigError } from "../src/errors.ts";
import { methodLabel } from "../src/util/input-limits.ts";
import { createLogger, type Logger } from "../src/util/log.ts";
import { isAuthorized, unauthorizedResponse } from "./auth.ts";
import { CloudMetadata, type CloudMetadataOptions } from "./cloud-metadata.ts";
import {
  type AgentConfig,
  autofillProviders,
  joinHostPort,
  requireAuthToken,
  resolveHttpsAddress,
  splitHostPort,
} from "./config.ts";
import { startDebugServer } from "./debug.ts";
import { badHostResponse, internalErrorResponse, requestUrl } from "./http-safety.ts";
import { type AgentMetrics, createAgentMetrics, routeLabel, UNKNOWN_ROUTE } from "./metrics.ts";
import { selectPinnedCpus, setCpuAffinity } from "./pin-cpu.ts";
import type { Backend } from "./providers/provider.ts";
import { createBackends } from "./providers/registry.ts";
import { proxyRequest } from "./proxy.ts";
import type { RcContext } from "./rc/context.ts";
import { JobRegistry } from "./rc/jobs.ts";
import { createRcHandler, RC_CALLS } from "./rc/server.ts";
import { StatsRegistry } from "./rc/stats.ts";
import { routeAgent } from "./routes.ts";
import {
  enrichConfigFromScylla,
  ScyllaConfigClient,
  scyllaApiUrl,
  type WaitOptions,
  waitForScyllaApi,
} from "./scylla-config.ts";
import { loadTlsMaterial } from "./tls.ts";
import { BandwidthLimiter } from "./transfer/bwlimit.ts";
import { TransferPool } from "./transfer/pool.ts";
import { AGENT_VERSION } from "./version.ts";

export interface StartAgentOptions {
  logger?: Logger;
  /** Start-up wait for Scylla's API (SM: 60 × 1 s dial, 2 s apart); `false` skips it. */
  waitForScylla?: WaitOptions | false;
  /** Fill the `scylla` section from Scylla's `/v2/config/*` (default true, as SM). */
  enrich?: boolean;
  /** Overrides applied to the `scylla` section after enrichment (e.g. the emulator node's data dir). */
  scyllaOverrides?: Partial<AgentConfig["scylla"]>;
  cloudMetadata?: CloudMetadataOptions;
  /** Add process metrics to the agent registry (default true). */
  defaultMetrics?: boolean;
  /** Pin CPUs at start as SM does (default true; in-process emulator agents turn it off). */
  pinCpu?: boolean;
  /** What `POST /agent/terminate` does; default SIGTERM to this process. */
  terminate?: () => void;
  /** Files the config came from, for the auth_token error. */
  configFiles?: readonly string[];
  /** Wraps each storage backend as it is created (tests: count reads, inject storage outages). */
  wrapBackend?: (backend: Backend) => Backend;
}

/** A running agent. */
export interface RunningAgent {
  /** `https://host:port` of the API. */
  url: string;
  /** `http://host:port` of the metrics listener, when enabled. */
  prometheusUrl: string | undefined;
  /** The config after enrichment. */
  config: AgentConfig;
  metrics: AgentMetrics;
  /**
   * Stops the listeners and running jobs. With `graceMs` (the executable uses SM's 30 s) in-flight requests may
   * finish first while no new connection is accepted; then running jobs are stopped and connections closed.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

/** Starts an agent in this process. Rejects with a ConfigError/ManagerError that names what is wrong. */
export async function startAgent(inputConfig: AgentConfig, options: StartAgentOptions = {}): Promise<RunningAgent> {
  const logger = options.logger ?? createLogger({ tag: "agent" });
  requireAuthToken(inputConfig, options.configFiles ?? []);
  if (options.waitForScylla !== false) {
    await waitForScyllaApi(
      inputConfig.scylla.api_address,
      Number(inputConfig.scylla.api_port),
      options.waitForScylla ?? {},
    );
  }
  const scylla = new ScyllaConfigClient(scyllaApiUrl(inputConfig));
  let config = options.enrich === false ? inputConfig : await enrichConfigFromScylla(inputConfig, scylla);
  if (options.scyllaOverrides !== undefined)
    config = { ...config, scylla: { ...config.scylla, ...options.scyllaOverrides } };
  if (config.scylla.data_directory === "") {
    throw new ConfigError("scylla data directory is unknown: Scylla reported no data_file_directories");
  }
  config = autofillProviders(config);
  if (options.pinCpu ?? true) await pinAtStart(config, logger);

  const metrics = createAgentMetrics({ defaultMetrics: options.defaultMetrics });
  const rc: RcContext = {
    backends: wrapBackends(
      createBackends(config, {
        dataDir: config.scylla.data_directory,
        recordHttpCall: ({ host, method, code }) =>
          metrics.rcloneHttpStatusCode.inc({ host, method, code: String(code) }),
      }),
      options.wrapBackend,
    ),
    stats: new StatsRegistry(metrics.rclone),
    jobs: new JobRegistry(),
    limiter: new BandwidthLimiter(),
    pool: new TransferPool(config.rclone.transfers),
    defaultTransfers: config.rclone.transfers,
    logger,
  };
  const handleRc = createRcHandler(rc, metrics.unexposedAccess);
  const cloud = new CloudMetadata(options.cloudMetadata);
  const scyllaTarget = scyllaApiUrl(config);
  const promHost = config.scylla.prometheus_address || config.scylla.listen_address;
  const prometheusTarget = `http://${joinHostPort(promHost, config.scylla.prometheus_port || "9180")}`;
  const terminate = options.terminate ?? (() => process.kill(process.pid, "SIGTERM"));
  const routes = { config, scylla, cloud, handleRc, terminate, logger };

  const handle = async (request: Request, url: URL, server: Server<undefined>): Promise<Response> => {
    const path = url.pathname;
    if (request.method === "GET" && path === "/ping") return new Response(null, { status: 204 });
    if (request.method === "GET" && path === "/version") return Response.json({ version: AGENT_VERSION });
    if (!isAuthorized(request.headers.get("authorization"), config.auth_token)) return unauthorizedResponse();
    if (path.startsWith("/agent/")) {
      return routeAgent(routes, request, url, server.requestIP(request)?.address ?? "");
    }
    if (path === "/metrics" || path.startsWith("/metrics/")) return proxyRequest(request, prometheusTarget);
    return proxyRequest(request, scyllaTarget);
  };

  const tls = await loadTlsMaterial(config);
  const https = splitHostPort(resolveHttpsAddress(config));
  const api = Bun.serve({
    hostname: https.host,
    port: https.port,
    tls: { cert: tls.cert, key: tls.key, secureOptions: tls.secureOptions },
    // Never the runtime's development error page (it shows stacks and source lines to anyone).
    development: false,
    // Bun turns SO_REUSEPORT on when development is off: a second server on the port would then share it silently.
    reusePort: false,
    // Long polls (`job/progress` with wait) and big transfers must not be cut by the idle timeout.
    idleTimeout: 0,
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    fetch: async (request, server) => {
      const url = requestUrl(request);
      if (url === undefined) {
        metrics.httpStatusCode.inc({ method: methodLabel(request.method), path: UNKNOWN_ROUTE, code: "400" });
        return badHostResponse();
      }
      const response = await handle(request, url, server).catch((error: unknown) => {
        logger.error(`${request.method} ${url.pathname}: ${(error as Error).message}`);
        return Response.json({ message: "internal server error", code: 500 }, { status: 500 });
      });
      // Labelled by route pattern, never the raw path: random paths must not grow the registry (401s included).
      const route = routeLabel(url.pathname, RC_CALLS);
      metrics.httpStatusCode.inc({ method: methodLabel(request.method), path: route, code: String(response.status) });
      if (response.status >= 400) logger.debug(`${request.method} ${route} ${response.status}`);
      return response;
    },
    error: internalErrorResponse,
  });

  let prometheus: Server<undefined> | undefined;
  if (config.prometheus !== "") {
    const address = splitHostPort(config.prometheus);
    prometheus = Bun.serve({
      hostname: address.host,
      port: address.port,
      development: false,
      // Bun turns SO_REUSEPORT on when development is off: a second server on the port would then share it silently.
      reusePort: false,
      error: internalErrorResponse,
      fetch: async (request) => {
        const url = requestUrl(request);
        if (url === undefined) return badHostResponse();
        if (url.pathname !== "/metrics") return new Response("404 page not found\n", { status: 404 });
        return new Response(await metrics.registry.metrics(), {
          headers: { "content-type": metrics.registry.contentType },
        });
      },
    });
  }
  const debug = config.debug === "" ? undefined : startDebugServer(config.debug);
  logger.debug(`agent listening on https://${joinHostPort(https.host, api.port ?? https.port)}`);
  return {
    url: `https://${joinHostPort(https.host, api.port ?? https.port)}`,
    prometheusUrl:
      prometheus === undefined ? undefined : `http://${joinHostPort(prometheus.hostname ?? "", prometheus.port ?? 0)}`,
    config,
    metrics,
    async close(closeOptions = {}) {
      const grace = closeOptions.graceMs ?? 0;
      if (grace > 0) {
        const drained = Promise.all([api.stop(false), prometheus?.stop(false), debug?.stop(false)]);
        // The grace timer is cancelled once drained: a pending timer would keep an idle agent alive for the whole
        // grace period after SIGTERM (SM's agent exits at once when idle).
        const timer = new AbortController();
        await Promise.race([drained, sleep(grace, undefined, { signal: timer.signal }).catch(() => {})]);
        timer.abort();
      }
      await rc.jobs.close();
      await Promise.all([api.stop(true), prometheus?.stop(true), debug?.stop(true)]);
    },
  };
}

async function pinAtStart(config: AgentConfig, logger: Logger): Promise<void> {
  const cpus = await selectPinnedCpus(config.cpu);
  if (cpus === undefined) return;
  try {
    await setCpuAffinity(cpus);
    logger.info(`pinned to CPUs ${cpus.join(",")}`);
  } catch (error) {
    logger.warn(`CPU pinning skipped: ${(error as Error).message}`);
  }
}

function wrapBackends(
  backends: Map<string, Backend>,
  wrap: ((b: Backend) => Backend) | undefined,
): Map<string, Backend> {
  if (wrap === undefined) return backends;
  return new Map([...backends].map(([name, backend]) => [name, wrap(backend)]));
}
