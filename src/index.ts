/**
 * The library's public API (named exports only). Runtime-neutral: works on Node >= 20 and Bun; the SQLite store
 * needs Bun, the memory store works everywhere.
 * @module
 */

export type { ApiResponse, ManagerApiClientOptions, QueryValue, RequestOptions } from "./clients/manager-api/client.ts";
export { ManagerApiClient, ManagerApiError } from "./clients/manager-api/client.ts";
export { Cluster, type ClusterConnectOptions, type ClusterNode } from "./cluster/cluster.ts";
export { type ClusterInput, ClusterInputSchema, type ClusterJson } from "./cluster/model.ts";
export { ClusterService, type ClusterServiceOptions } from "./cluster/service.ts";
export { resolveDataDir } from "./config/data-dir.ts";
export { type LoadConfigOptions, loadYamlConfig } from "./config/load.ts";
export {
  defaultServerConfig,
  type LoadServerConfigOptions,
  loadServerConfig,
  type ServerConfig,
  type ServerConfigInput,
  ServerConfigSchema,
} from "./config/server.ts";
export {
  ConfigError,
  ConflictError,
  errorMessage,
  isManagerError,
  ManagerError,
  type ManagerErrorOptions,
  NotFoundError,
  ScyllaApiError,
  StoreError,
  ValidationError,
  wrapError,
} from "./errors.ts";
export { HealthCheck, type HealthCheckOptions, type HealthCheckTarget } from "./healthcheck/health-check.ts";
export type { NodeStatus, PingMode } from "./healthcheck/model.ts";
export { Manager, type ManagerOptions } from "./manager/manager.ts";
export type { RunContext, Runner } from "./scheduler/runner.ts";
export { MANAGER_VERSION } from "./server/version.ts";
export { createMemoryStore } from "./store/memory.ts";
export { type OpenStoreOptions, openStore, type StoreConfig } from "./store/open.ts";
export type {
  ClusterRecord,
  ProgressRow,
  RunRecord,
  ScheduleRecord,
  ServiceRunRecord,
  Store,
  StoreWrite,
  TaskFilter,
  TaskRecord,
  TaskStatus,
} from "./store/store.ts";
export { formatDuration, formatGoDuration, parseDuration } from "./util/duration.ts";
export {
  createLogger,
  createSilentLogger,
  type LogEncoding,
  type Logger,
  type LoggerOptions,
  type LogLevel,
} from "./util/log.ts";
export { isUuid, newTimeUuid, newUuid } from "./util/uuid.ts";
