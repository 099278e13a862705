/**
 * The agent's own Prometheus metrics (reference §4.2), on their own prom-client Registry so several in-process
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
