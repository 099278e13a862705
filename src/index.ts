/**
 * The library's public API (named exports only). Runtime-neutral: works on Node >= 20 and Bun; the SQLite store
 * needs Bun, the memory store works everywhere.
 * @module
 */

export { Backup, type BackupOptions, type BackupProgressEvent, type BackupResult } from "./backup/backup.ts";
export type { Location as BackupLocation } from "./backup/layout/location.ts";
export type { FilesMeta } from "./backup/layout/manifest.ts";
export type { BackupProgressJson, HostProgressJson as BackupHostProgressJson } from "./backup/progress.ts";
export type { BackupProperties, DcLimit, RetentionPolicy } from "./backup/properties.ts";
export type { DeleteSnapshotsResult } from "./backup/read/delete.ts";
export type { BackupReadOptions } from "./backup/read/library.ts";
export type { BackupListItem, BackupListUnit, SnapshotInfo } from "./backup/read/list-backups.ts";
export type { BackupFilesInfo } from "./backup/read/list-files.ts";
export type { BackupHost, BackupTarget, BackupUnit } from "./backup/target.ts";
export type { ValidateHostProgress } from "./backup/validate/model.ts";
export type { ValidateResult } from "./backup/validate/run.ts";
export type { AgentClient } from "./clients/agent/client.ts";
export type { CqlClientCert, CqlCredentials } from "./clients/cql/session.ts";
export type { ApiResponse, ManagerApiClientOptions, QueryValue, RequestOptions } from "./clients/manager-api/client.ts";
export { ManagerApiClient, ManagerApiError } from "./clients/manager-api/client.ts";
export type { BackoffPolicy } from "./clients/scylla/backoff.ts";
export type { ScyllaClient } from "./clients/scylla/client.ts";
export type { HostPool } from "./clients/scylla/host-pool.ts";
export type { CallOptions, CallResult } from "./clients/scylla/http.ts";
export { Cluster, type ClusterConnectOptions, type ClusterNode } from "./cluster/cluster.ts";
export { type ClusterInput, ClusterInputSchema, type ClusterJson, type ClusterSecrets } from "./cluster/model.ts";
export {
  type ClusterChangeListener,
  type ClusterClients,
  ClusterService,
  type ClusterServiceOptions,
  type DeleteClusterOptions,
} from "./cluster/service.ts";
export type { NodeState } from "./cluster/topology.ts";
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
export type { PingOutcome } from "./healthcheck/classify.ts";
export { HealthCheck, type HealthCheckOptions, type HealthCheckTarget } from "./healthcheck/health-check.ts";
export type { NodeStatus, NodeStatusJson, PingMode } from "./healthcheck/model.ts";
export type { LeaderInfo } from "./manager/leadership.ts";
export { Manager, type ManagerOptions } from "./manager/manager.ts";
export type { ResumeOptions, SuspendOptions, SuspendService } from "./manager/suspend.ts";
export type { ListTasksOptions, TaskListEntry, TaskService } from "./manager/task-service.ts";
export type { RepairProperties, RepairTarget, RepairUnit } from "./repair/model.ts";
export type {
  KeyspacePlan as RepairKeyspacePlan,
  Plan as RepairPlan,
  TablePlan as RepairTablePlan,
} from "./repair/plan.ts";
export type {
  HostProgress as RepairHostProgress,
  RepairProgress,
  TableProgress as RepairTableProgress,
} from "./repair/progress.ts";
export {
  Repair,
  type RepairClusterHandle,
  RepairFailedError,
  type RepairMetricsSink,
  type RepairOptions,
  type RepairProgressEvent,
  type RepairResult,
} from "./repair/repair.ts";
export type { PlannedTarget as RepairPlannedTarget } from "./repair/target.ts";
export type { PostRestoreRepair } from "./restore/env.ts";
export type { RestoreTableUnit, RestoreUnit, RestoreView } from "./restore/model.ts";
export { parseNodesMapping } from "./restore/one2one/mapping-file.ts";
export type { NodeMapping } from "./restore/one2one/model.ts";
export type { One2OneProgress, One2OneTableProgress, One2OneViewProgress } from "./restore/one2one/progress.ts";
export {
  type One2OneHostPlan,
  type One2OneProgressEvent,
  One2OneRestore,
  type One2OneRestoreOptions,
  type One2OneResult,
} from "./restore/one2one/restore.ts";
export type { RestoreHostProgress, RestoreKeyspaceProgress, RestoreProgress } from "./restore/progress.ts";
export {
  Restore,
  type RestoreOptions,
  type RestoreProgressEvent,
  type RestoreResult,
} from "./restore/restore.ts";
export type { Clock } from "./scheduler/clock.ts";
export type { TaskScheduleInfo } from "./scheduler/engine.ts";
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
