/**
 * The one interface for all manager state that must survive a restart.
 *
 * Implementations: memory (tests, library use on Node), SQLite (the embedded default) and, later, CQL.
 * Every implementation must pass `describeStoreContract` in `src/store/contract.ts`.
 *
 * Layout follows SM's keyspace (SM's `schema/*.cql`), flattened:
 * - clusters, secrets (encrypted at rest by the store), drawer (per-cluster misc state, e.g. suspend info),
 * - scheduler tasks and runs,
 * - per-service run meta (`repair_run`, `backup_run`, `restore_run`...) and per-run progress rows
 *   (`repair_run_progress`, `repair_run_state`, `backup_run_progress`...) as JSON values under a `kind`.
 *
 * All methods are async so a networked implementation (CQL) fits the same contract.
 * Timestamps are ISO-8601 strings in UTC; `null` means unset.
 */

export interface ClusterRecord {
  id: string;
  name: string;
  labels: Record<string, string>;
  host: string;
  knownHosts: string[];
  /** Agent port; 0 means the default 10001. */
  port: number;
  authToken: string;
  forceTlsDisabled: boolean;
  forceNonSslSessionPort: boolean;
  /** Extension beyond SM: PEM CA or SHA-256 fingerprint used to verify agents' certificates ("" = no verification, as SM). */
  agentCaCert?: string;
  agentCertFingerprint?: string;
}

/** A schedule as persisted (SM's `schedule` UDT). */
export interface ScheduleRecord {
  /** Cron spec ("" = none). */
  cron: string;
  /** start_date (ISO) or null. */
  startDate: string | null;
  /**
   * The start date inside SM's `cron` JSON (`{"spec":...,"start_date":...}`), which SM keeps apart from start_date:
   * a request's start_date when it also set a cron, else what its cron JSON carried (null = Go's zero time). Records
   * written without it show startDate there.
   */
  cronStartDate?: string | null;
  /** Legacy interval in seconds (0 = none). */
  intervalSeconds: number;
  numRetries: number;
  /** Retry wait in seconds. */
  retryWaitSeconds: number;
  /** Maintenance window, SM syntax, e.g. ["Mon-0:00", "Mon-6:00"]. */
  window: string[];
  /** IANA timezone ("" = UTC). */
  timezone: string;
}

export type TaskStatus = "NEW" | "RUNNING" | "STOPPING" | "STOPPED" | "WAITING" | "DONE" | "ERROR" | "ABORTED";

export interface TaskRecord {
  clusterId: string;
  type: string;
  id: string;
  name: string;
  labels: Record<string, string>;
  enabled: boolean;
  deleted: boolean;
  schedule: ScheduleRecord;
  /** Task properties as a JSON value (object). */
  properties: unknown;
  status: TaskStatus;
  successCount: number;
  errorCount: number;
  lastSuccess: string | null;
  lastError: string | null;
}

export interface RunRecord {
  clusterId: string;
  type: string;
  taskId: string;
  /** Time-based UUID (v1); newest first when listed. */
  id: string;
  status: TaskStatus;
  cause: string;
  owner: string;
  startTime: string | null;
  endTime: string | null;
}

export interface TaskFilter {
  type?: string;
  /** Include deleted tasks (default false). */
  includeDeleted?: boolean;
}

/** A per-run row of a service's state: `key` is the row's clustering key within the run (e.g. "host/ks/table"). */
export interface ProgressRow {
  key: string;
  value: unknown;
}

export interface ServiceRunRecord {
  clusterId: string;
  taskId: string;
  runId: string;
  value: unknown;
}

/**
 * One write of a batch (see `Store.batch`). Secrets are not batchable: they go through the encryption path.
 */
export type StoreWrite =
  | { op: "putCluster"; cluster: ClusterRecord }
  | { op: "putDrawer"; clusterId: string; key: string; value: unknown }
  | { op: "deleteDrawer"; clusterId: string; key: string }
  | { op: "putTask"; task: TaskRecord }
  | { op: "putRun"; run: RunRecord }
  | { op: "putServiceRun"; kind: string; run: ServiceRunRecord }
  | { op: "putProgress"; kind: string; clusterId: string; taskId: string; runId: string; rows: ProgressRow[] }
  | {
      op: "deleteProgress";
      kind: string;
      clusterId: string;
      taskId: string;
      runId: string;
      /** Only these rows (default: every row of the run). */
      keys?: string[];
    };

export interface Store {
  // ----- clusters -----
  putCluster(cluster: ClusterRecord): Promise<void>;
  getCluster(id: string): Promise<ClusterRecord | undefined>;
  /** Sorted by id. */
  listClusters(): Promise<ClusterRecord[]>;
  deleteCluster(id: string): Promise<void>;

  // ----- secrets (values are encrypted at rest by implementations that persist) -----
  putSecret(clusterId: string, key: string, value: Uint8Array): Promise<void>;
  getSecret(clusterId: string, key: string): Promise<Uint8Array | undefined>;
  deleteSecret(clusterId: string, key: string): Promise<void>;
  deleteSecrets(clusterId: string): Promise<void>;

  // ----- drawer: per-cluster JSON blobs (e.g. "scheduler_suspended") -----
  putDrawer(clusterId: string, key: string, value: unknown): Promise<void>;
  getDrawer(clusterId: string, key: string): Promise<unknown | undefined>;
  deleteDrawer(clusterId: string, key: string): Promise<void>;

  // ----- scheduler tasks -----
  putTask(task: TaskRecord): Promise<void>;
  getTask(clusterId: string, type: string, id: string): Promise<TaskRecord | undefined>;
  /** Ordered by (type, id), as SM's clustering order. */
  listTasks(clusterId: string, filter?: TaskFilter): Promise<TaskRecord[]>;
  /** Every task of every cluster (daemon start). */
  listAllTasks(filter?: TaskFilter): Promise<TaskRecord[]>;
  /**
   * Optional: `listTasks` and `listAllTasks` (`clusterId` undefined) whose records are deep-frozen and may be the
   * same objects call after call while the tasks are unchanged, so hot read-only paths (task listings, the leader's
   * sync) neither decode nor render unchanged tasks again. Never change them: copy first. Same order as `listTasks`.
   */
  listTasksShared?(clusterId: string | undefined, filter?: TaskFilter): Promise<readonly TaskRecord[]>;

  // ----- scheduler runs -----
  putRun(run: RunRecord): Promise<void>;
  getRun(clusterId: string, type: string, taskId: string, runId: string): Promise<RunRecord | undefined>;
  /** Newest first (time-UUID order), at most `limit` (0 or less = all). */
  listRuns(clusterId: string, type: string, taskId: string, limit: number): Promise<RunRecord[]>;
  /** Runs with the given status across all tasks (daemon start: RUNNING → ABORTED). */
  listRunsByStatus(status: TaskStatus): Promise<RunRecord[]>;

  // ----- per-service state (kind = SM table name, e.g. "repair_run", "backup_run_progress") -----
  putServiceRun(kind: string, run: ServiceRunRecord): Promise<void>;
  getServiceRun(kind: string, clusterId: string, taskId: string, runId: string): Promise<ServiceRunRecord | undefined>;
  /** Newest first (time-UUID order of runId), at most `limit` (0 or less = all). */
  listServiceRuns(kind: string, clusterId: string, taskId: string, limit: number): Promise<ServiceRunRecord[]>;
  putProgress(kind: string, clusterId: string, taskId: string, runId: string, rows: ProgressRow[]): Promise<void>;
  listProgress(kind: string, clusterId: string, taskId: string, runId: string): Promise<ProgressRow[]>;
  /** Deletes the run's rows named by `keys`, or all of them when `keys` is undefined. */
  deleteProgress(kind: string, clusterId: string, taskId: string, runId: string, keys?: string[]): Promise<void>;

  // ----- batches -----
  /**
   * Applies every write or none (one SQLite transaction; a logged batch in CQL), in order. Use it for rows that must
   * agree after a crash, e.g. a run's final status together with its task's counters.
   */
  batch(writes: StoreWrite[]): Promise<void>;

  close(): Promise<void>;
}
