/**
 * Scylla's default table options and extensions, as `system_schema.tables` shows them for a table created
 * without options.
 * @module
 */
import type { ColumnDef } from "./types.ts";

/** Default table options (system_schema.tables columns). Maps are string→string, numbers are numbers. */
export function defaultTableOptions(): Record<string, unknown> {
  return {
    bloom_filter_fp_chance: 0.01,
    caching: { keys: "ALL", rows_per_partition: "ALL" },
    comment: "",
    compaction: { class: "SizeTieredCompactionStrategy" },
    compression: { sstable_compression: "org.apache.cassandra.io.compress.LZ4Compressor" },
    crc_check_chance: 1,
    default_time_to_live: 0,
    gc_grace_seconds: 864000,
    max_index_interval: 2048,
    memtable_flush_period_in_ms: 0,
    min_index_interval: 128,
    speculative_retry: "99.0PERCENTILE",
  };
}

/** Default tombstone_gc extension, as Scylla stores it. */
export const DEFAULT_TOMBSTONE_GC = "{'mode':'timeout','propagation_delay_in_seconds':'3600'}";

/** Default extensions of a new user table. */
export function defaultExtensions(): Record<string, string> {
  return { tombstone_gc: DEFAULT_TOMBSTONE_GC };
}

/** Columns of a spec table without explicit columns: the shape SM's test helpers write (`id uuid, data blob`). */
export function defaultColumns(): ColumnDef[] {
  return [
    { name: "id", type: "uuid", kind: "partition_key", position: 0, clusteringOrder: "none" },
    { name: "data", type: "blob", kind: "regular", position: -1, clusteringOrder: "none" },
  ];
}
