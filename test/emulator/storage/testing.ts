/**
 * The schema the storage and repair tests run on (fixed here so changes to the built-in default schema do not move
 * their expectations): vnode keyspaces at RF 3, a view, an index, and a tablet keyspace.
 * @module
 */
import type { SchemaSpec } from "../schema/types.ts";

/** Schema of the storage and repair tests. */
export function testSchemaSpec(): SchemaSpec {
  const nts = { class: "NetworkTopologyStrategy", replication_factor: 3 };
  return {
    keyspaces: [
      {
        name: "ks1",
        replication: nts,
        tables: [
          { name: "small_table", size: "256KiB" },
          { name: "users", size: "8MiB", views: [{ name: "users_by_name" }] },
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
              { name: "kind", type: "text" },
            ],
            indexes: [{ name: "events_kind", column: "kind" }],
          },
        ],
      },
      { name: "ks3", replication: nts, tables: [{ name: "blobs", size: "32MiB" }] },
      { name: "tablet_ks", replication: nts, tablets: true, tables: [{ name: "tab", size: "8MiB" }] },
    ],
  };
}
