/**
 * What the CQL server needs from an emulated node. `fromNodeContext` (adapter.ts) builds it from B1's
 * NodeContext; tests may build one directly.
 */

import type { IndexDef, KeyspaceDef, SchemaChange, SchemaMutations, TableDef, UserTypeDef } from "../schema/types.ts";
import type { RowStore } from "./rows.ts";

export interface PeerView {
  ip: string;
  hostId: string;
  dc: string;
  rack: string;
  tokens: string[];
  up: boolean;
}

/** Read side of the cluster schema plus its mutations and change feed. */
export interface SchemaView extends SchemaMutations {
  keyspaces(): KeyspaceDef[];
  /** Base tables and views (views have `view` set). */
  tables(): TableDef[];
  indexes(): IndexDef[];
  types(): UserTypeDef[];
  /** Current schema version UUID (the same on every node after a change). */
  version(): string;
  /** Subscribes to schema changes; returns the unsubscribe function. */
  onChange(listener: (change: SchemaChange) => void): () => void;
  /** ALTER KEYSPACE ... WITH replication (absent: ALTER KEYSPACE is refused). */
  alterKeyspace?(name: string, replication: KeyspaceDef["replication"]): void;
}

export interface CqlNodeView {
  ip: string;
  hostId: string;
  dc: string;
  rack: string;
  tokens: string[];
  clusterName: string;
  /** Value of system.local.release_version: Scylla reports the Cassandra version it mimics, `3.0.8`. */
  releaseVersion: string;
  /** `enable_tablets`: new NetworkTopologyStrategy keyspaces use tablets unless they say otherwise. */
  tabletsEnabled?: boolean;
  /** Shards (Scylla's `smp`): SUPPORTED advertises the count and each connection's shard. Absent: 1. */
  shards?: number;
  /** Credentials required by PasswordAuthenticator, or undefined when the node allows anyone. */
  auth?: { username: string; password: string };
  /** Every other node of the cluster. */
  peers(): PeerView[];
  schema: SchemaView;
  /** Rows written through CQL, shared by the cluster's nodes (absent: writes are refused). */
  rows?: RowStore;
}
