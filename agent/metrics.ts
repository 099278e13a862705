/**
 * The agent's own Prometheus metrics (SM's `pkg/cmd/agent/metrics.go`), on their own prom-client Registry so several in-process
 * agents (the emulator runs one per node) never share counters. Served on the plain-HTTP `prometheus` listener.
 * @module
 */
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";

/** Counters and gauges the agent updates. */
export interface AgentMetrics {
  registry: Registry;
  httpStatusCode: Counter<"method" | "path" | "code">;
  unexposedAccess: Counter<"addr" | "path">;
  rclone: RcloneMetrics;
  /** `scylla_manager_agent_rclone_http_status_code{host,method,code}`: object-store HTTP responses (S3 and Azure; not GCS yet). */
  rcloneHttpStatusCode: Counter<"host" | "method" | "code">;
}

/** `scylla_manager_agent_rclone_*`: rclone's accounting, fed by the rc layer's stats. */
export interface RcloneMetrics {
  bytesTransferred: Counter;
  errors: Counter;
  checkedFiles: Counter;
  filesTransferred: Counter;
  filesDeleted: Counter;
  dirsDeleted: Counter;
  filesRenamed: Counter;
  speed: Gauge;
  fatalError: Gauge;
  retryError: Gauge;
}

export interface CreateMetricsOptions {
  /** Add Node/Bun process metrics (`process_*`, `nodejs_*`); default true. Off for the many in-process emulator agents. */
  defaultMetrics?: boolean;
}

/** The first path segments of Scylla's REST API (v1 and `/v2`), which the agent proxies. */
const SCYLLA_API_ROOTS = new Set([
  "cache_service",
  "collectd",
  "column_family",
  "commit_log",
  "commitlog",
  "compaction_manager",
  "failure_detector",
  "gossiper",
  "hinted_handoff",
  "lsa",
  "messaging_service",
  "raft",
  "snitch",
  "storage_proxy",
  "storage_service",
  "stream_manager",
  "system",
  "task_manager",
  "v2",
]);

/** The agent's own `/agent/...` routes. */
const AGENT_ROUTES = new Set([
  "/agent/node_info",
  "/agent/cloud/metadata",
  "/agent/pin_cpu",
  "/agent/free_os_memory",
  "/agent/terminate",
]);

/** The label every path that matches no route is counted under. */
export const UNKNOWN_ROUTE = "unknown";

/**
 * The `path` label of `scylla_manager_agent_http_status_code`: the route pattern that serves `path` (SM labels by its
 * handler), never the raw path, so random paths cannot grow the registry: `/agent/rclone/<call>` for exposed rc calls,
 * `/storage_service/*`-style roots for the Scylla proxy, {@link UNKNOWN_ROUTE} for everything else.
 */
export function routeLabel(path: string, rcCalls: ReadonlySet<string> | ReadonlyMap<string, unknown>): string {
  if (path === "/ping" || path === "/version" || path === "/metrics" || AGENT_ROUTES.has(path)) return path;
  if (path.startsWith("/agent/rclone/")) {
    const call = path.slice("/agent/rclone/".length);
    return rcCalls.has(call) ? path : "/agent/rclone/*";
  }
  if (path.startsWith("/metrics/")) return "/metrics/*";
  const root = path.split("/")[1] ?? "";
  return SCYLLA_API_ROOTS.has(root) ? `/${root}/*` : UNKNOWN_ROUTE;
}

/** Creates the agent's registry and metrics. */
export function createAgentMetrics(options: CreateMetricsOptions = {}): AgentMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const counter = (name: string, help: string) =>
    new Counter({ name: `scylla_manager_agent_rclone_${name}`, help, registers: [registry] });
  const gauge = (name: string, help: string) =>
    new Gauge({ name: `scylla_manager_agent_rclone_${name}`, help, registers: [registry] });
  return {
    registry,
    httpStatusCode: new Counter({
      name: "scylla_manager_agent_http_status_code",
      help: "HTTP status codes of the agent's HTTPS API responses",
      labelNames: ["method", "path", "code"],
      registers: [registry],
    }),
    unexposedAccess: new Counter({
      name: "scylla_manager_agent_unexposed_access",
      help: "Calls to rc endpoints the agent does not expose",
      labelNames: ["addr", "path"],
      registers: [registry],
    }),
    rcloneHttpStatusCode: new Counter({
      name: "scylla_manager_agent_rclone_http_status_code",
      help: "HTTP status codes of the storage backends' calls (S3 and Azure; GCS not yet counted)",
      labelNames: ["host", "method", "code"],
      registers: [registry],
    }),
    rclone: {
      bytesTransferred: counter("bytes_transferred_total", "Total transferred bytes"),
      errors: counter("errors_total", "Number of errors thrown"),
      checkedFiles: counter("checked_files_total", "Number of checked files"),
      filesTransferred: counter("files_transferred_total", "Number of transferred files"),
      filesDeleted: counter("files_deleted_total", "Total number of files deleted"),
      dirsDeleted: counter("dirs_deleted_total", "Total number of directories deleted"),
      filesRenamed: counter("files_renamed_total", "Total number of files renamed"),
      speed: gauge("speed", "Average speed in bytes per second since start of the group"),
      fatalError: gauge("fatal_error", "Whether there has been at least one fatal error"),
      retryError: gauge("retry_error", "Whether there has been at least one retryable error"),
    },
  };
}
