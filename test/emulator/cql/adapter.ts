/** Builds the CQL server's view of a node from B1's NodeContext. */

import type { NodeContext } from "../node-context.ts";
import type { CqlNodeView, SchemaView } from "./node-view.ts";
import { RowStore } from "./rows.ts";

/** Scylla reports this Cassandra version in system.local/peers.release_version, whatever its own version. */
export const CASSANDRA_COMPAT_VERSION = "3.0.8";

/** One row store per cluster schema, so every node of a cluster reads what any node wrote. */
const rowStores = new WeakMap<object, RowStore>();

/** Adapts a NodeContext; reads are live (topology liveness, schema) so one view serves the node's lifetime. */
export function fromNodeContext(node: NodeContext): CqlNodeView {
  const model = node.cluster.schema;
  const schema: SchemaView = {
    keyspaces: () => model.keyspaces(),
    // Index backing views are listed in system_schema.views and columns like on Scylla.
    tables: () => [...model.tables(), ...model.indexViews()],
    indexes: () => model.indexes(),
    types: () => model.types(),
    version: () => model.version,
    onChange: (listener) => model.onChange((change) => listener(change)),
    createKeyspace: (def, ifNotExists) => model.createKeyspace(def, ifNotExists),
    dropKeyspace: (name, ifExists) => model.dropKeyspace(name, ifExists),
    alterKeyspace: (name, replication) => model.alterKeyspace(name, replication),
    createTable: (def, ifNotExists) => model.createTable(def, ifNotExists),
    dropTable: (ks, name, ifExists) => model.dropTable(ks, name, ifExists),
    alterTableOptions: (ks, name, options, extensions) => model.alterTableOptions(ks, name, options, extensions),
    createIndex: (def, ifNotExists) => model.createIndex(def, ifNotExists),
    dropIndex: (ks, name, ifExists) => model.dropIndex(ks, name, ifExists),
    createType: (def, ifNotExists) => model.createType(def, ifNotExists),
    dropType: (ks, name, ifExists) => model.dropType(ks, name, ifExists),
  };
  let rows = rowStores.get(model);
  if (!rows) {
    rows = new RowStore(schema);
    rowStores.set(model, rows);
  }
  return {
    rows,
    ip: node.ip,
    hostId: node.hostId,
    dc: node.dc,
    rack: node.rack,
    tokens: node.tokens.map(String),
    clusterName: node.settings.clusterName,
    releaseVersion: CASSANDRA_COMPAT_VERSION,
    auth: node.settings.auth,
    shards: node.settings.shards,
    tabletsEnabled: node.settings.tabletsEnabled,
    peers: () =>
      node.cluster.nodes
        .filter((n) => n.ip !== node.ip)
        .map((n) => ({ ip: n.ip, hostId: n.hostId, dc: n.dc, rack: n.rack, tokens: n.tokens.map(String), up: n.up })),
    schema,
  };
}
