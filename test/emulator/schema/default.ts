/**
 * The built-in schema: a few user keyspaces at RF 3 per DC, one small table, one tablet keyspace, one materialized
 * view and one secondary index.
 * @module
 */
import type { SchemaSpec } from "./types.ts";

/** The default schema spec (NTS `replication_factor` expands to every DC); without tablets `tablet_ks` uses vnodes. */
export function defaultSchemaSpec(tabletsEnabled = true): SchemaSpec {
  const nts = { class: "NetworkTopologyStrategy", replication_factor: 3 };
  return {
    keyspaces: [
      {
        name: "ks1",
        replication: nts,
        tables: [
          { name: "small_table", size: "256KiB" },
          {
            name: "users",
            size: "8MiB",
            columns: [
              { name: "id", type: "uuid", kind: "partition_key" },
              { name: "name", type: "text" },
              { name: "data", type: "blob" },
            ],
            views: [{ name: "users_by_name" }],
          },
        ],
      },
      {
        name: "ks2",
        replication: nts,
        tables: [
          {
            name: "events",
            size: "16MiB",
            columns: [
              { name: "id", type: "uuid", kind: "partition_key" },
              { name: "ts", type: "timestamp", kind: "clustering" },
              { name: "kind", type: "text" },
              { name: "data", type: "blob" },
            ],
            indexes: [{ name: "events_kind", column: "kind" }],
          },
        ],
      },
      { name: "ks3", replication: nts, tables: [{ name: "blobs", size: "32MiB" }] },
      { name: "tablet_ks", replication: nts, tablets: tabletsEnabled, tables: [{ name: "tab", size: "8MiB" }] },
    ],
  };
}
