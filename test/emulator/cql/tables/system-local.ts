/** system.local and system.peers, as Scylla fills them for drivers' control connections. */

import type { CqlNodeView } from "../node-view.ts";
import { cols, type VirtualTable } from "./table.ts";

export const CQL_VERSION = "3.3.1";
const PARTITIONER = "org.apache.cassandra.dht.Murmur3Partitioner";
/** A realistic slice of Scylla's gossip feature list (drivers only check it is a string). */
const SUPPORTED_FEATURES = [
  "CDC",
  "CDC_GENERATIONS_V2",
  "COMPUTED_COLUMNS",
  "CORRECT_COUNTER_ORDER",
  "DIGEST_FOR_NULL_VALUES",
  "LWT",
  "MATERIALIZED_VIEWS",
  "PARALLELIZED_AGGREGATION",
  "PER_TABLE_CACHING",
  "SCHEMA_TABLES_V3",
  "TABLETS",
  "UDA",
  "VIEW_VIRTUAL_COLUMNS",
].join(",");

/** system.local: one row keyed 'local'. */
export function localTable(node: CqlNodeView): VirtualTable {
  return {
    keyspace: "system",
    name: "local",
    columns: cols(
      "key text",
      "bootstrapped text",
      "broadcast_address inet",
      "cluster_name text",
      "cql_version text",
      "data_center text",
      "gossip_generation int",
      "host_id uuid",
      "listen_address inet",
      "native_protocol_version text",
      "partitioner text",
      "rack text",
      "release_version text",
      "rpc_address inet",
      "schema_version uuid",
      "supported_features text",
      "thrift_version text",
      "tokens set<text>",
      "truncated_at map<uuid, blob>",
    ),
    partitionKey: ["key"],
    clusteringKey: [],
    rows: () => [
      {
        key: "local",
        bootstrapped: "COMPLETED",
        broadcast_address: node.ip,
        cluster_name: node.clusterName,
        cql_version: CQL_VERSION,
        data_center: node.dc,
        gossip_generation: 1700000000,
        host_id: node.hostId,
        listen_address: node.ip,
        native_protocol_version: "4",
        partitioner: PARTITIONER,
        rack: node.rack,
        release_version: node.releaseVersion,
        rpc_address: node.ip,
        schema_version: node.schema.version(),
        supported_features: SUPPORTED_FEATURES,
        thrift_version: "20.1.0",
        tokens: node.tokens,
        truncated_at: null,
      },
    ],
  };
}

/** system.peers: every other node, up or down (gossip keeps DN nodes in the table). */
export function peersTable(node: CqlNodeView): VirtualTable {
  return {
    keyspace: "system",
    name: "peers",
    columns: cols(
      "peer inet",
      "data_center text",
      "host_id uuid",
      "preferred_ip inet",
      "rack text",
      "release_version text",
      "rpc_address inet",
      "schema_version uuid",
      "supported_features text",
      "tokens set<text>",
    ),
    partitionKey: ["peer"],
    clusteringKey: [],
    rows: () =>
      node.peers().map((p) => ({
        peer: p.ip,
        data_center: p.dc,
        host_id: p.hostId,
        preferred_ip: null,
        rack: p.rack,
        release_version: node.releaseVersion,
        rpc_address: p.ip,
        schema_version: node.schema.version(),
        supported_features: SUPPORTED_FEATURES,
        tokens: p.tokens,
      })),
  };
}
