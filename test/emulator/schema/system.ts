/**
 * The system keyspaces and tables a Scylla 2025.x node has. Ids are name-based (UUID v3 of `ks.table`) the way
 * Scylla derives ids of system tables, so they are equal on every node and every run.
 * @module
 */
import { createHash } from "node:crypto";
import { defaultTableOptions } from "./defaults.ts";
import type { ColumnDef, KeyspaceDef, TableDef } from "./types.ts";

const LOCAL = { class: "org.apache.cassandra.locator.LocalStrategy" } as const;

/** System keyspaces with their replication and tables; the partition key column of each table is given. */
const SYSTEM: Array<{ name: string; replication: KeyspaceDef["replication"]; tables: string[] }> = [
  {
    name: "system",
    replication: { ...LOCAL },
    tables: [
      "local",
      "peers",
      "size_estimates",
      "compaction_history",
      "sstable_activity",
      "truncated",
      "scylla_local",
      "raft",
      "raft_snapshots",
      "raft_state",
      "topology",
      "cdc_generations_v3",
      "tablets",
      "roles",
      "role_members",
      "role_permissions",
      "role_attributes",
      "service_levels_v2",
      "clients",
      "built_views",
      "views_builds_in_progress",
      "scylla_views_builds_in_progress",
      "large_partitions",
      "large_rows",
      "large_cells",
      "config",
      "versions",
      "token_ring",
      "snapshots",
      "protocol_servers",
    ],
  },
  {
    name: "system_schema",
    replication: { ...LOCAL },
    tables: [
      "keyspaces",
      "scylla_keyspaces",
      "tables",
      "scylla_tables",
      "columns",
      "dropped_columns",
      "triggers",
      "views",
      "types",
      "functions",
      "aggregates",
      "scylla_aggregates",
      "indexes",
      "view_virtual_columns",
      "computed_columns",
    ],
  },
  {
    name: "system_auth",
    replication: { class: "org.apache.cassandra.locator.SimpleStrategy", replication_factor: "1" },
    tables: ["roles", "role_members", "role_permissions", "role_attributes"],
  },
  {
    name: "system_distributed",
    replication: { class: "org.apache.cassandra.locator.SimpleStrategy", replication_factor: "3" },
    tables: ["cdc_streams_descriptions_v2", "cdc_generation_timestamps", "service_levels", "view_build_status"],
  },
  {
    name: "system_distributed_everywhere",
    replication: { class: "org.apache.cassandra.locator.EverywhereStrategy" },
    tables: ["cdc_generation_descriptions_v2"],
  },
  {
    name: "system_traces",
    replication: { class: "org.apache.cassandra.locator.SimpleStrategy", replication_factor: "2" },
    tables: ["events", "sessions", "sessions_time_idx", "node_slow_log", "node_slow_log_time_idx"],
  },
];

/** Name-based UUID (version 3, MD5) as Scylla uses for system table ids. */
export function nameBasedUuid(name: string): string {
  const b = createHash("md5").update(name).digest();
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x30;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function keyColumns(keyspace: string, table: string): ColumnDef[] {
  const pk =
    keyspace === "system_schema" ? "keyspace_name" : table === "local" ? "key" : table === "peers" ? "peer" : "key";
  const pkType = table === "peers" ? "inet" : "text";
  return [
    { name: pk, type: pkType, kind: "partition_key", position: 0, clusteringOrder: "none" },
    { name: "value", type: "text", kind: "regular", position: -1, clusteringOrder: "none" },
  ];
}

/** The system keyspaces (marked `system: true`). */
export function systemKeyspaces(): KeyspaceDef[] {
  return SYSTEM.map((ks) => ({
    name: ks.name,
    replication: ks.replication,
    durableWrites: true,
    tablets: false,
    system: true,
  }));
}

/** The system tables, sized 0 except for a little data in system tables SM never backs up. */
export function systemTables(): TableDef[] {
  return SYSTEM.flatMap((ks) =>
    ks.tables.map((name) => ({
      keyspace: ks.name,
      name,
      id: nameBasedUuid(`${ks.name}.${name}`),
      columns: keyColumns(ks.name, name),
      options: defaultTableOptions(),
      extensions: {},
      sizeBytes: 0,
    })),
  );
}
