/**
 * rclone-style accounting: per stats group (`job/<id>` for async jobs, `_group` or the global group for the
 * rest) counters, running byte totals for `job/progress`, and the `scylla_manager_agent_rclone_*` metrics.
 * Groups keep totals plus a bounded list of recent transfers, so memory does not grow with the file count.
 * @module
 */
import type { RcloneMetrics } from "../metrics.ts";

/** One finished (or skipped, or failed) file, as `job/info` reports `transferred`. */
export interface TransferRecord {
  name: string;
  size: number;
  bytes: number;
  checked: boolean;
  started_at: string;
  completed_at: string;
  error: string;
  /** The stats group the file was counted in (rclone's Transfer reports it). */
  group: string;
}

/** Counters of one group. */
export class GroupStats {
  readonly startedAt = Date.now();
  bytes = 0;
  transfers = 0;
  checks = 0;
  errors = 0;
  deletes = 0;
  renames = 0;
  lastError = "";
  /** Seconds spent in finished transfers (rclone's `transferTime`). */
  transferTime = 0;
  /** Byte totals behind `job/progress`: uploaded, skipped (already at the destination) and failed. */
  uploadedBytes = 0;
  skippedBytes = 0;
  failedBytes = 0;
  readonly transferred: TransferRecord[] = [];

  /**
   * The rclone `core/stats` shape (used by `job/info`), keys as SM's agent sends them: `lastError` only after an
   * error; `transferring` and `checking` only while non-empty (calls here report files once they finish, so never).
   */
  toJSON(): Record<string, unknown> {
    const elapsed = (Date.now() - this.startedAt) / 1000;
    return {
      bytes: this.bytes,
      checks: this.checks,
      deletedDirs: 0,
      deletes: this.deletes,
      elapsedTime: elapsed,
      errors: this.errors,
      fatalError: false,
      ...(this.lastError === "" ? {} : { lastError: this.lastError }),
      renames: this.renames,
      retryError: this.errors > 0,
      speed: elapsed > 0 ? this.bytes / elapsed : 0,
      transferTime: this.transferTime,
      transfers: this.transfers,
    };
  }
}

/** Recent transfers kept per group for `job/info` (rclone keeps 100 by default). */
const MAX_TRANSFERRED = 100;

/** The agent-wide set of stats groups. */
export class StatsRegistry {
  readonly #groups = new Map<string, GroupStats>();
  readonly #metrics: RcloneMetrics | undefined;

  constructor(metrics?: RcloneMetrics) {
    this.#metrics = metrics;
  }

  /** Gets or creates a group. */
  group(name: string): GroupStats {
    let group = this.#groups.get(name);
    if (group === undefined) {
      group = new GroupStats();
      this.#groups.set(name, group);
    }
    return group;
  }

  /** A group without creating it (a deleted group reads as zeros). */
  peek(name: string): GroupStats {
    return this.#groups.get(name) ?? new GroupStats();
  }

  /** Records one file: transferred (`checked` false), skipped as identical (`checked` true), or failed (`error`). */
  recordFile(
    groupName: string,
    record: Omit<TransferRecord, "completed_at" | "group"> & { completed_at?: string },
  ): void {
    const group = this.group(groupName);
    const full: TransferRecord = {
      ...record,
      completed_at: record.completed_at ?? new Date().toISOString(),
      group: groupName,
    };
    group.transferred.push(full);
    if (group.transferred.length > MAX_TRANSFERRED) group.transferred.shift();
    if (record.error !== "") {
      group.errors++;
      group.lastError = record.error;
      group.failedBytes += record.size;
      this.#metrics?.errors.inc();
      this.#metrics?.retryError.set(1);
    } else if (record.checked) {
      group.checks++;
      group.skippedBytes += record.size;
      this.#metrics?.checkedFiles.inc();
    } else {
      group.transfers++;
      group.transferTime += Math.max(0, Date.parse(full.completed_at) - Date.parse(full.started_at)) / 1000;
      group.bytes += record.bytes;
      group.uploadedBytes += record.bytes;
      this.#metrics?.filesTransferred.inc();
      this.#metrics?.bytesTransferred.inc(record.bytes);
      const elapsed = (Date.now() - group.startedAt) / 1000;
      if (elapsed > 0) this.#metrics?.speed.set(group.bytes / elapsed);
    }
  }

  /** Counts deleted files. */
  recordDeletes(groupName: string, count: number): void {
    if (count <= 0) return;
    this.group(groupName).deletes += count;
    this.#metrics?.filesDeleted.inc(count);
  }

  /** Counts deleted directories. */
  recordDirDelete(): void {
    this.#metrics?.dirsDeleted.inc();
  }

  /** Counts renamed (moved, or versioned with a suffix) files. */
  recordRename(groupName: string): void {
    this.group(groupName).renames++;
    this.#metrics?.filesRenamed.inc();
  }

  /** Counts an error outside a file transfer. */
  recordError(groupName: string, message: string): void {
    const group = this.group(groupName);
    group.errors++;
    group.lastError = message;
    this.#metrics?.errors.inc();
  }

  /** `core/stats-delete`: forgets a group. */
  delete(groupName: string): void {
    this.#groups.delete(groupName);
  }

  /** `core/stats-reset`: resets one group, or all when no name is given. */
  reset(groupName?: string): void {
    if (groupName === undefined || groupName === "") this.#groups.clear();
    else if (this.#groups.has(groupName)) this.#groups.set(groupName, new GroupStats());
  }

  /** Groups currently held (for tests and leak checks). */
  get size(): number {
    return this.#groups.size;
  }
}
