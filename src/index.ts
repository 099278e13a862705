/**
 * The library's public API (named exports only). Runtime-neutral: works on Node >= 20 and Bun; the SQLite store
 * needs Bun, the memory store works everywhere.
 * @module
 */

// ----- Manager API client (what sctool uses) -----
export type { ApiResponse, ManagerApiClientOptions, QueryValue, RequestOptions } from "./clients/manager-api/client.ts";
export { ManagerApiClient, ManagerApiError } from "./clients/manager-api/client.ts";
export { resolveDataDir } from "./config/data-dir.ts";
// ----- Config -----
export type { LoadConfigOptions } from "./config/load.ts";
export { loadYamlConfig } from "./config/load.ts";
export type { LoadServerConfigOptions, ServerConfig, ServerConfigInput } from "./config/server.ts";
export { defaultServerConfig, loadServerConfig, ServerConfigSchema } from "./config/server.ts";
// ----- Errors -----
export type { ManagerErrorOptions } from "./errors.ts";
export {
  ConfigError,
  ConflictError,
  errorMessage,
  isManagerError,
  ManagerError,
  NotFoundError,
  ScyllaApiError,
  StoreError,
  ValidationError,
  wrapError,
} from "./errors.ts";
export { Manager, type ManagerOptions } from "./manager/manager.ts";
export type { RunContext, Runner } from "./scheduler/runner.ts";
export { MANAGER_VERSION } from "./server/version.ts";
export { createMemoryStore } from "./store/memory.ts";
export type { OpenStoreOptions, StoreConfig } from "./store/open.ts";
export { openStore } from "./store/open.ts";
// ----- Store -----
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
// ----- Durations, ids, logging -----
export { formatDuration, formatGoDuration, parseDuration } from "./util/duration.ts";
export type { LogEncoding, Logger, LoggerOptions, LogLevel } from "./util/log.ts";
export { createLogger, createSilentLogger } from "./util/log.ts";
export { isUuid, newTimeUuid, newUuid } from "./util/uuid.ts";
