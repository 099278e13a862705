/**
 * The `Cluster` library class: connect to any node's agent, discover the cluster, and get its topology, node info
 * and gateway clients, with no daemon.
 * @module
 */
import { AgentClient } from "../clients/agent/client.ts";
import type { NodeInfo } from "../clients/agent/node-info.ts";
import { resolveCqlEndpoint } from "../clients/agent/node-info.ts";
import { type CqlCredentials, type CqlSession, openCqlSession } from "../clients/cql/session.ts";
import type { BackoffPolicy } from "../clients/scylla/backoff.ts";
import { ScyllaClient } from "../clients/scylla/client.ts";
import type { CallOptions } from "../clients/scylla/http.ts";
import { discoverCluster } from "./discovery.ts";
import { NodeInfoCache } from "./node-info-cache.ts";
import { type NodeState, readNodeStates } from "./topology.ts";

/** Options of `Cluster.connect`. */
export interface ClusterConnectOptions {
  /** Any node's IP or DNS name; the agent there is asked for the rest of the cluster. */
  host: string;
  /** The agents' auth token. */
  authToken: string;
  /** Agent port. Default 10001. */
  port?: number;
  /** Verify agents' certificates against this PEM CA (SM never verifies). */
  agentCaCert?: string;
  /** Or pin their SHA-256 fingerprint. */
  agentCertFingerprint?: string;
  /** CQL credentials for `cqlSession()`. */
  credentials?: CqlCredentials;
  /** Never use TLS for CQL even when nodes enable client encryption. */
  forceTlsDisabled?: boolean;
  forceNonSslSessionPort?: boolean;
  /** Per-call timeout of agent requests, ms. Default 30 000. */
  timeoutMs?: number;
  /** Timeout of discovery calls, ms. Default 5 000. */
  discoveryTimeoutMs?: number;
  /** How long node_info answers are reused, ms. Default 300 000. */
  nodeInfoTtlMs?: number;
  backoff?: BackoffPolicy;
  signal?: AbortSignal;
}

/** One node of the cluster. */
export interface ClusterNode extends NodeState {
  rack: string;
}

/**
 * A connected Scylla cluster.
 * @example
 * const cluster = await Cluster.connect({ host: "10.0.0.1", authToken: process.env.TOKEN ?? "" });
 * console.log(cluster.closestDc, cluster.nodes.map((n) => `${n.host} ${n.status}`));
 * await cluster.close();
 */
export class Cluster {
  /** The Scylla REST client (through the agents). */
  readonly scylla: ScyllaClient;
  /** The agents' own API. */
  readonly agent: AgentClient;
  readonly #options: ClusterConnectOptions;
  readonly #nodeInfo: NodeInfoCache;
  #nodes: ClusterNode[] = [];
  #dcsByLatency: string[] = [];

  private constructor(options: ClusterConnectOptions, knownHosts: string[]) {
    this.#options = options;
    this.scylla = new ScyllaClient({
      hosts: knownHosts,
      port: options.port,
      authToken: options.authToken,
      tls: { caCert: options.agentCaCert, certFingerprint: options.agentCertFingerprint },
      timeoutMs: options.timeoutMs,
      backoff: options.backoff,
    });
    this.agent = new AgentClient(this.scylla);
    this.#nodeInfo = new NodeInfoCache(this.agent, { ttlMs: options.nodeInfoTtlMs });
  }

  /** Discovers the cluster through `options.host` and reads its topology. */
  static async connect(options: ClusterConnectOptions): Promise<Cluster> {
    const probe = new ScyllaClient({
      hosts: [options.host],
      port: options.port,
      authToken: options.authToken,
      tls: { caCert: options.agentCaCert, certFingerprint: options.agentCertFingerprint },
    });
    try {
      const found = await discoverCluster(probe, {
        coordinators: [options.host],
        timeoutMs: options.discoveryTimeoutMs,
        signal: options.signal,
      });
      const cluster = new Cluster(options, found.knownHosts);
      cluster.#dcsByLatency = found.dcsByLatency;
      await cluster.refresh({ signal: options.signal });
      return cluster;
    } finally {
      probe.close();
    }
  }

  /** Nodes with DC, rack, host ID and `UN`-style status, sorted by DC then address. */
  get nodes(): readonly ClusterNode[] {
    return this.#nodes;
  }

  /** Datacenter names, closest (lowest RTT) first. */
  get datacenters(): readonly string[] {
    return this.#dcsByLatency;
  }

  /** The DC with the lowest RTT from here. */
  get closestDc(): string {
    return this.#dcsByLatency[0] ?? "";
  }

  /** Re-reads node states and racks. */
  async refresh(options: CallOptions = {}): Promise<void> {
    const states = await readNodeStates(this.scylla, options);
    const racks = await Promise.all(states.map((node) => this.scylla.rack(node.host, options).catch(() => "")));
    this.#nodes = states.map((node, i) => ({ ...node, rack: racks[i] ?? "" }));
    this.scylla.pool.setHosts(this.#nodes.map((node) => node.host));
  }

  /** `/agent/node_info` of a node, cached for `nodeInfoTtlMs`. */
  nodeInfo(host: string, options: CallOptions = {}): Promise<NodeInfo> {
    return this.#nodeInfo.get(host, options);
  }

  /** A CQL session to the cluster (or to one node with `singleHost`), TLS and auth as the nodes require. */
  async cqlSession(options: { host?: string; singleHost?: boolean; timeoutMs?: number } = {}): Promise<CqlSession> {
    const host = options.host ?? this.#nodes.find((node) => node.status === "UN")?.host ?? this.#options.host;
    const info = await this.nodeInfo(host);
    const endpoint = resolveCqlEndpoint(info, host, this.#options);
    const dc = this.#nodes.find((node) => node.host === host)?.dc ?? this.closestDc;
    return openCqlSession({
      contactPoints: [`${endpoint.address}:${endpoint.port}`],
      localDataCenter: dc,
      credentials: info.cql_password_protected ? this.#options.credentials : undefined,
      tls: endpoint.tls,
      singleHost: options.singleHost,
      timeoutMs: options.timeoutMs,
    });
  }

  /** Closes the agents' connections. */
  async close(): Promise<void> {
    this.scylla.close();
  }
}
