/**
 * What every part of an emulated node receives (REST, CQL, storage, repair): its identity, its settings and the
 * cluster-wide shared state (topology, schema, ledger, clock, liveness).
 * @module
 */
import type { Clock } from "./clock.ts";
import type { Ledger } from "./ledger.ts";
import type { SchemaModel } from "./schema/model.ts";
import type { TokenRange } from "./topology/ring.ts";
import type { Tablet } from "./topology/tablets.ts";
import type { Topology } from "./topology/topology.ts";

/** CQL client encryption (scylla.yaml `client_encryption_options`). */
export interface NodeTlsSettings {
  enabled: boolean;
  /** PEM certificate and key the node serves on `native_transport_port_ssl`. */
  certificate: string;
  key: string;
  /** PEM CA that client certificates must chain to. */
  ca?: string;
  requireClientAuth: boolean;
  /** Paths reported by `/v2/config/client_encryption_options`. */
  certificatePath: string;
  keyfilePath: string;
}

/** Per-node settings, the emulated scylla.yaml. */
export interface NodeSettings {
  clusterName: string;
  /** Scylla version, e.g. "2025.1.0". */
  version: string;
  /** `scylla_release_version`, e.g. "2025.1.0-0.20250101.abcdef123456". */
  releaseVersion: string;
  /** CQL credentials when `authenticator: PasswordAuthenticator`; undefined = AllowAllAuthenticator. */
  auth?: { username: string; password: string };
  /** Value of the `authenticator` config entry. */
  authenticator: string;
  restPort: number;
  cqlPort: number;
  /** `native_transport_port_ssl`; only served when tls is set. */
  cqlSslPort: number;
  tls?: NodeTlsSettings;
  prometheusPort: number;
  alternator: { enabled: boolean; port: number; httpsPort?: number; enforceAuthorization: boolean };
  uuidSstableIdentifiers: boolean;
  tabletsEnabled: boolean;
  /** Shard count (smp): Prometheus per-shard samples and repair parallelism. */
  shards: number;
  /** Memory per shard in bytes (`scylla_memory_total_memory`). */
  memoryPerShard: number;
  /** Object storage endpoints (name → JSON string), as `/v2/config/object_storage_endpoints` answers. */
  objectStorageEndpoints: Record<string, string>;
}

/** The cluster-wide state every node shares (one process per cluster). */
export interface ClusterState {
  topology: Topology;
  schema: SchemaModel;
  ledger: Ledger;
  clock: Clock;
  seed: number;
  nodes: NodeContext[];
  /** Node by IP. */
  node(ip: string): NodeContext | undefined;
  /** IPs gossip sees as live (nodes that are up). */
  liveNodes(): string[];
  /** Subscribes to node stop/start (fault API); returns the unsubscribe function. */
  onNodeState(listener: (ip: string, up: boolean) => void): () => void;
  /**
   * `describe_ring` of a keyspace as `localIp` answers it (LocalStrategy names the local node); `table` is required
   * for tablet keyspaces. Throws a RestError-compatible `Error` with `status` for an unknown keyspace or table.
   */
  describeRing(keyspace: string, table: string | undefined, localIp: string): TokenRange[];
  /** The tablet map of a table of a tablet keyspace. */
  tabletMap(keyspace: string, table: string): Tablet[];
}

/** One emulated node. */
export interface NodeContext {
  ip: string;
  hostId: string;
  dc: string;
  rack: string;
  /** Vnode tokens, ascending. */
  tokens: readonly bigint[];
  /** `<dir>/<ip>/data`: `<ks>/<table>-<id32>/` live here. */
  dataDir: string;
  settings: NodeSettings;
  cluster: ClusterState;
  /** False while stopped through the fault API (its ports refuse, peers mark it DN). */
  readonly up: boolean;
}
