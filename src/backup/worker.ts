/**
 * The state one backup run shares across its stages: hosts with their location and limits, the snapshot-dir
 * index, the schema dump, and the progress rows (persisted per host/table, throttled).
 * @module
 */
import type { NodeInfo } from "../clients/agent/node-info.ts";
import type { RcloneClient } from "../clients/agent/rclone.ts";
import { ManagerError } from "../errors.ts";
import type { Store } from "../store/store.ts";
import type { Logger } from "../util/log.ts";
import type { BackupClusterAccess, BackupConfig } from "./access.ts";
import type { Location } from "./layout/index.ts";
import type { BackupMetrics } from "./metrics.ts";
import { type BackupRun, PROGRESS_KIND, progressKey, type RunProgress } from "./model.ts";
import { type DcLimit, limitFor } from "./properties.ts";
import type { BackupUnit } from "./target.ts";

/** A host of the run. */
export interface HostInfo {
  ip: string;
  hostId: string;
  dc: string;
  location: Location;
  /** MiB/s, 0 = unlimited. */
  rateLimit: number;
  transfers: number;
  nodeInfo?: NodeInfo;
  /** The node's object storage endpoint for its location when it may upload natively (method native or auto). */
  nativeEndpoint?: string;
}

/** A local file of a snapshot dir. */
export interface LocalFile {
  name: string;
  size: number;
}

/** One table's snapshot dir on one host (SM's `snapshotDir`). */
export interface SnapshotDir {
  host: string;
  unit: number;
  keyspace: string;
  table: string;
  /** Table version: the dir name's 32 hex. */
  version: string;
  /** `<ks>/<table>-<version>/snapshots/<tag>` inside `data:`. */
  path: string;
  files: LocalFile[];
  /** Scylla's own manifest files in the dir (`manifest.json`). */
  scyllaManifests: string[];
  /** Set by deduplication when the upload will create versioned files. */
  willCreateVersioned: boolean;
}

/** Everything the stages need. */
export interface RunEnv {
  cluster: BackupClusterAccess;
  store: Store | undefined;
  clusterId: string;
  taskId: string;
  runId: string;
  run: BackupRun;
  units: BackupUnit[];
  hosts: HostInfo[];
  uploadParallel: DcLimit[];
  snapshotParallel: DcLimit[];
  skipSchema: boolean;
  config: BackupConfig;
  signal: AbortSignal;
  logger: Logger;
  metrics?: BackupMetrics;
  rclone: RcloneClient;
  /** Snapshot dirs per host IP (filled by INDEX). */
  dirs: Map<string, SnapshotDir[]>;
  /** gzip of the schema JSON (AWAIT_SCHEMA), when taken. */
  schema?: Uint8Array;
  progress: ProgressBook;
  /** Set once DEDUPLICATE ran in this run (a run resumed in UPLOAD skips it). */
  deduplicated?: boolean;
}

/** Progress rows of the run, in memory, flushed to the store. */
export class ProgressBook {
  readonly rows = new Map<string, RunProgress>();
  readonly #dirty = new Set<string>();
  readonly #store: Store | undefined;
  readonly #ids: { clusterId: string; taskId: string; runId: string };
  #timer: ReturnType<typeof setTimeout> | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #listener: (() => void) | undefined;

  constructor(store: Store | undefined, ids: { clusterId: string; taskId: string; runId: string }) {
    this.#store = store;
    this.#ids = ids;
  }

  /** Called after every change (the library's live progress). */
  onChange(listener: () => void): void {
    this.#listener = listener;
  }

  get(host: string, unit: number, table: string): RunProgress | undefined {
    return this.rows.get(progressKey({ host, unit, table_name: table }));
  }

  /** Inserts or replaces a row and schedules a flush. */
  put(row: RunProgress): void {
    const key = progressKey(row);
    this.rows.set(key, row);
    this.#dirty.add(key);
    this.#listener?.();
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, 500);
  }

  /** Updates a row in place. */
  update(host: string, unit: number, table: string, change: (row: RunProgress) => void): void {
    const row = this.get(host, unit, table);
    if (!row) return;
    change(row);
    this.put(row);
  }

  /** Writes dirty rows now. */
  async flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const keys = [...this.#dirty];
    this.#dirty.clear();
    const store = this.#store;
    if (!store || keys.length === 0) return this.#flushing;
    const rows = keys.flatMap((key) => {
      const value = this.rows.get(key);
      return value ? [{ key, value }] : [];
    });
    const { clusterId, taskId, runId } = this.#ids;
    this.#flushing = this.#flushing.then(() => store.putProgress(PROGRESS_KIND, clusterId, taskId, runId, rows));
    return this.#flushing;
  }
}

/** A zeroed progress row. */
export function newProgressRow(host: string, unit: number, table: string): RunProgress {
  return {
    host,
    unit,
    table_name: table,
    agent_job_id: 0,
    scylla_task_id: "",
    started_at: null,
    completed_at: null,
    error: "",
    size: 0,
    uploaded: 0,
    skipped: 0,
    failed: 0,
    files_count: 0,
    files_skipped_count: 0,
  };
}

/**
 * SM's `inParallelWithLimits`: hosts of a DC with its own limit form a group; the rest share the global limit;
 * groups run at once; a missing or 0 limit is unlimited. The first error is thrown after every started task ends.
 */
export async function inParallelWithLimits<T extends { dc: string; ip: string }>(
  items: readonly T[],
  limits: readonly DcLimit[],
  fn: (item: T) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const own = limits.some((l) => l.dc === item.dc);
    const key = own ? item.dc : "";
    const list = groups.get(key) ?? [];
    list.push(item);
    groups.set(key, list);
  }
  await Promise.all(
    [...groups].map(([dc, list]) => {
      const limit = dc === "" ? limits.find((l) => l.dc === "")?.limit : limitFor(limits, dc);
      return inParallel(list, limit ?? 0, (item) => onHost(item.ip, () => fn(item), signal));
    }),
  );
}

/** Runs `fn` over `items` with at most `limit` at once (0 = all); rethrows the first error after all settle. */
export async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const width = limit > 0 ? Math.min(limit, items.length) : items.length;
  let next = 0;
  const errors: unknown[] = [];
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        try {
          await fn(item);
        } catch (error) {
          errors.push(error);
        }
      }
    }),
  );
  if (errors.length > 0) throw errors[0];
}

/**
 * Runs one host's part of a stage; a failure names the host first, as SM wraps each host's error with its address
 * (`pkg/service/backup/worker.go`), so a run that fails on one node says which. Aborts pass through unchanged.
 */
export async function onHost<T>(ip: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    // A stopped run rejects with the signal's reason as is (the scheduler tells a stop from a failure by it).
    if (signal?.aborted || !(error instanceof Error) || error.name === "AbortError") throw error;
    if (error.message.startsWith(`${ip}: `)) throw error;
    throw new ManagerError(`${ip}: ${error.message}`, { cause: error });
  }
}
