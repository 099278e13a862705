/**
 * Backup gauges with SM's names (`pkg/metrics/backup.go`): `scylla_manager_backup_snapshot{cluster,host,keyspace}`,
 * `..._files_{size,uploaded,skipped,failed}_bytes{cluster,host,keyspace,table}`, `..._versioned_files_count`,
 * `..._purge_files{cluster,host}`, `..._purge_deleted_files{cluster,host}` and
 * `..._retention_locked_files{cluster,host}` (objects the RETENTION_LOCK stage locked).
 * @module
 */
import { Gauge, type Registry } from "prom-client";
import type { RunProgress } from "./model.ts";

function gauge(registry: Registry, name: string, help: string, labelNames: readonly string[]): Gauge {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Gauge) return existing;
  return new Gauge({ name, help, labelNames: [...labelNames], registers: [registry] });
}

const TABLE = ["cluster", "host", "keyspace", "table"] as const;
const HOST = ["cluster", "host"] as const;

/** Backup gauges on a prom-client registry (idempotent per registry). */
export class BackupMetrics {
  readonly #snapshot: Gauge;
  readonly #size: Gauge;
  readonly #uploaded: Gauge;
  readonly #skipped: Gauge;
  readonly #failed: Gauge;
  readonly #versioned: Gauge;
  readonly #purgeFiles: Gauge;
  readonly #purgeDeleted: Gauge;
  readonly #retentionLocked: Gauge;

  constructor(registry: Registry) {
    const p = "scylla_manager_backup_";
    this.#snapshot = gauge(registry, `${p}snapshot`, "Whether the keyspace snapshot was taken (1) or not", [
      "cluster",
      "host",
      "keyspace",
    ]);
    this.#size = gauge(registry, `${p}files_size_bytes`, "Bytes of the table's snapshot files", TABLE);
    this.#uploaded = gauge(registry, `${p}files_uploaded_bytes`, "Bytes uploaded", TABLE);
    this.#skipped = gauge(registry, `${p}files_skipped_bytes`, "Bytes skipped (already in the location)", TABLE);
    this.#failed = gauge(registry, `${p}files_failed_bytes`, "Bytes that failed to upload", TABLE);
    this.#versioned = gauge(registry, `${p}versioned_files_count`, "Files that the upload versions", HOST);
    this.#purgeFiles = gauge(registry, `${p}purge_files`, "Files to delete in the last purge", HOST);
    this.#purgeDeleted = gauge(registry, `${p}purge_deleted_files`, "Files deleted by the last purge", HOST);
    this.#retentionLocked = gauge(registry, `${p}retention_locked_files`, "Objects given a retention lock", HOST);
  }

  snapshot(cluster: string, host: string, units: ReadonlyArray<{ keyspace: string }>, taken: boolean): void {
    for (const unit of units) this.#snapshot.set({ cluster, host, keyspace: unit.keyspace }, taken ? 1 : 0);
  }

  uploadProgress(
    cluster: string,
    host: string,
    dir: { keyspace: string; table: string },
    row: RunProgress | undefined,
  ): void {
    if (!row) return;
    const labels = { cluster, host, keyspace: dir.keyspace, table: dir.table };
    this.#size.set(labels, row.size);
    this.#uploaded.set(labels, row.uploaded);
    this.#skipped.set(labels, row.skipped);
    this.#failed.set(labels, row.failed);
  }

  versionedFiles(cluster: string, host: string, count: number): void {
    this.#versioned.inc({ cluster, host }, count);
  }

  purge(cluster: string, host: string, deleted: number): void {
    this.#purgeFiles.set({ cluster, host }, deleted);
    this.#purgeDeleted.set({ cluster, host }, deleted);
  }

  retentionLocked(cluster: string, host: string, objects: number): void {
    this.#retentionLocked.inc({ cluster, host }, objects);
  }
}
